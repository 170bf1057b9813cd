"""Export: the pictures and animations of a run, drawn by its views, and the window's
export actions.

The table of formats and the writers of numbers live below the UI
(``nnfs_gui/core/files/formats.py``); figures.py and animation.py register the
writers of pictures with it. frames.py draws every picture, in the window and
headless alike. The window's actions (actions.py) are loaded when first asked for.
"""

__all__ = ["install_export_actions"]


def __getattr__(name: str):  # PEP 562: the window's entry point, loaded on first use
    if name == "install_export_actions":
        from nnfs_gui.ui.export.actions import install_export_actions

        return install_export_actions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

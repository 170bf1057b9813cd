"""Export: pictures, data, animations and models, from the window and headless.

The formats are one table (formats.py). Importing the package loads no Qt:
the command line reads the table for ``--help`` and ``--export``, and a headless
run that asks for no figure must not need a display library. The window's
actions (actions.py) are loaded when first asked for.
"""

__all__ = ["install_export_actions"]


def __getattr__(name: str):  # PEP 562: the Qt-side entry point, loaded on first use
    if name == "install_export_actions":
        from nnfs_gui.ui.export.actions import install_export_actions

        return install_export_actions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Export: pictures, data, animations and models, from the window and headless."""

from nnfs_gui.ui.export.actions import install_export_actions

__all__ = ["install_export_actions"]

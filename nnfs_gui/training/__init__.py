"""Qt-free training layer: Trainer (data split, scaler, model, history), History,
Snapshot, and the headless command-line run. Never imports Qt or pyqtgraph."""

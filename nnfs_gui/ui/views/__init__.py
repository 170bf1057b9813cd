"""Views of a run: decision regions, loss and accuracy curves."""

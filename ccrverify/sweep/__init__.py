"""Sweeps: check every point of a grid of knob values, in parallel, keeping
each finished point in a results store so that a rerun does only new work."""

"""The explicit-state engine: generated kernel (codegen) and BFS driver (bfs)."""

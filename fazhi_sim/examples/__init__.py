"""Worked extensions of the model, each one importable file (docs/extending.md).

* :mod:`fazhi_sim.examples.grid_workers`: 网格员 (grid workers of the 全科网格) as a new
  kind of Mesa agent who spots fresh disputes and refers them to village mediation; run it with
  ``--model fazhi_sim.examples.grid_workers:spec``.
"""

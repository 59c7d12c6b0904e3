"""fazhi_sim.engine."""

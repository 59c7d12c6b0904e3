"""fazhi_sim.experiments."""

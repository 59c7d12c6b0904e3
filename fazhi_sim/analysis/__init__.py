"""fazhi_sim.analysis."""

"""fazhi_sim.views."""

"""Integration, dose schedules and results."""

from mgbrain.solver.simulate import SolverOptions, simulate, steady_state
from mgbrain.solver.subject import Subject
from mgbrain.solver.trajectory import Trajectory

__all__ = ["SolverOptions", "simulate", "steady_state", "Subject", "Trajectory"]

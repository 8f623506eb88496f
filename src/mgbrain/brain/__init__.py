"""Brain delivery, threonate, pharmacodynamics, virtual trials, uncertainty and sensitivity."""

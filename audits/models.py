# Models arrive with the issues for this part of the cycle.

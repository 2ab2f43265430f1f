"""cvmkit: customer value mapping in Python."""

"""lazyrich: exact learning dynamics of lambda-balanced two-layer linear networks."""
__version__ = "0.1.0"

from . import test_pricing_pure

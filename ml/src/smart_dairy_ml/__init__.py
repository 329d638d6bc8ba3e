"""Smart Dairy analytics (``smart_dairy_ml``).

Pure Python (numpy / pandas / scipy / scikit-learn), no network at run time:

* :mod:`smart_dairy_ml.simulator` - deterministic herd simulator with ground-truth events
* :mod:`smart_dairy_ml.heat` - heat (estrus) detection from collar activity and rumination
* :mod:`smart_dairy_ml.lactation` - Wood / Wilmink / Ali-Schaeffer lactation curves
* :mod:`smart_dairy_ml.forecast` - per-cow 1-7 day milk yield forecaster
* :mod:`smart_dairy_ml.health` - ketosis / mastitis / illness risk
* :mod:`smart_dairy_ml.ration` - least-cost ration LP (NRC 2001 requirements)
* :mod:`smart_dairy_ml.scoring` - ``score_herd`` used by Odoo and the IoT ingestor
"""

__version__ = "0.1.0"

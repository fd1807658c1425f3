"""Training of the packaged text models from the public data sets (needs scikit-learn and scipy, which
are development dependencies: the engine itself runs on numpy alone)."""

from ambassade.engine.text.training._data import Example, load_file
from ambassade.engine.text.training._train import TrainingConfig, add_extra, train

__all__ = ["Example", "TrainingConfig", "add_extra", "load_file", "train"]

"""Training of the packaged text models from the public data sets (needs scikit-learn and scipy, which
are development dependencies: the engine itself runs on numpy alone)."""

from ambassade.engine.text.training._train import TrainingConfig, train

__all__ = ["TrainingConfig", "train"]

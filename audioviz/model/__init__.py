"""The yes/no classifier: network, training, evaluation, prediction and checkpoints.

- :class:`KeywordCNN` (with :class:`ModelConfig`, :class:`FrontendConfig`, :class:`LogMelFrontend`):
  the small CNN with its log-mel front end inside.
- :func:`train` -> :class:`TrainResult`, with :class:`AugmentConfig`, :func:`augment_waveforms` and
  :func:`spec_augment` for the training augmentation; the command ``audioviz train``.
- :func:`load_checkpoint`, :func:`save_checkpoint`: checkpoints readable with
  ``torch.load(weights_only=True)``.
- :func:`predict` -> :class:`Prediction`, :func:`prepare_clip`: one recording of any length or rate.
- :func:`evaluate`: accuracy, recall per word, confusion matrix; the command ``audioviz evaluate``.
- :func:`tutorial_checkpoint`: a cached default model for the tutorials.
"""
from ._batch_augment import AugmentConfig, augment_waveforms, spec_augment
from ._checkpoint import load_checkpoint, save_checkpoint
from ._evaluate import evaluate
from ._network import FrontendConfig, KeywordCNN, LogMelFrontend, ModelConfig
from ._predict import Prediction, predict, prepare_clip
from ._train import DEFAULT_EPOCHS, TrainResult, resolve_device, train
from ._tutorial import tutorial_checkpoint

__all__ = [
    "AugmentConfig",
    "DEFAULT_EPOCHS",
    "FrontendConfig",
    "KeywordCNN",
    "LogMelFrontend",
    "ModelConfig",
    "Prediction",
    "TrainResult",
    "augment_waveforms",
    "evaluate",
    "load_checkpoint",
    "predict",
    "prepare_clip",
    "resolve_device",
    "save_checkpoint",
    "spec_augment",
    "train",
    "tutorial_checkpoint",
]

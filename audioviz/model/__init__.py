"""The keyword classifier (yes, no, or neither): network, training, evaluation, prediction, checkpoints.

- :class:`KeywordCNN` (with :class:`ModelConfig`, :class:`FrontendConfig`, :class:`LogMelFrontend`):
  the small CNN with its log-mel front end inside.
- :func:`train` -> :class:`TrainResult`, with :class:`AugmentConfig`, :func:`augment_waveforms`,
  :func:`augment_features` and :func:`spec_augment` for the training augmentation; the command
  ``audioviz train``.
- :func:`load_checkpoint`, :func:`save_checkpoint`: checkpoints readable with
  ``torch.load(weights_only=True)``.
- :func:`predict` -> :class:`Prediction`, :func:`prepare_clip` (the one rule that makes any
  recording the model's one-second clip), :func:`answer_of`: a keyword or ``"neither"``.
- :func:`evaluate`: accuracy, recall per answer, false accepts, confusion matrix; the command
  ``audioviz evaluate``.

The network's outputs are :attr:`KeywordCNN.labels`: the keywords, then ``"_unknown_"`` and
``"_silence_"`` (:data:`NEITHER_LABELS`) for the default open-set model; both mean the answer
:data:`NEITHER`. ``train(..., neither=False)`` gives a closed-set model whose labels are its words.
- :func:`tutorial_checkpoint`: a cached default model for the tutorials;
  :func:`tutorial_quick_mode` says whether they run with a tiny stand-in model.
- :func:`export_for_browser`: the model as numbers for the site's Try-it page.
"""
from ._batch_augment import AugmentConfig, augment_features, augment_waveforms, spec_augment
from ._checkpoint import load_checkpoint, save_checkpoint
from ._evaluate import evaluate
from ._export import export_for_browser
from ._network import NEITHER, NEITHER_LABELS, FrontendConfig, KeywordCNN, LogMelFrontend, ModelConfig
from ._predict import Prediction, answer_of, predict, prepare_clip
from ._train import DEFAULT_EPOCHS, TrainResult, resolve_device, train
from ._tutorial import tutorial_checkpoint, tutorial_quick_mode

__all__ = [
    "AugmentConfig",
    "augment_features",
    "DEFAULT_EPOCHS",
    "FrontendConfig",
    "KeywordCNN",
    "LogMelFrontend",
    "ModelConfig",
    "NEITHER",
    "NEITHER_LABELS",
    "Prediction",
    "TrainResult",
    "answer_of",
    "augment_waveforms",
    "evaluate",
    "export_for_browser",
    "load_checkpoint",
    "predict",
    "prepare_clip",
    "resolve_device",
    "save_checkpoint",
    "spec_augment",
    "train",
    "tutorial_checkpoint",
    "tutorial_quick_mode",
]

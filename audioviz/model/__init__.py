"""The yes/no classifier: network, training, evaluation and checkpoints."""
from ._network import FrontendConfig, KeywordCNN, LogMelFrontend, ModelConfig

__all__ = ["FrontendConfig", "KeywordCNN", "LogMelFrontend", "ModelConfig"]

"""``keras.applications.resnet50``: ResNet50 alone (the same objects as in ``resnet``)."""

from mini_keras.applications.resnet import ResNet50, decode_predictions, preprocess_input

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]

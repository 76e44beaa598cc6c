"""``mini_keras.applications``: Keras 3's pretrained-architecture models.

One submodule per family (``vgg16``, ``resnet``, ...) holds its model functions plus
``preprocess_input`` / ``decode_predictions``; the model functions are also exported flat
(``applications.VGG16``). The flat list is derived from the submodules' ``__all__``.
"""

from mini_keras.applications import (
    convnext,
    densenet,
    efficientnet,
    efficientnet_v2,
    imagenet_utils,
    inception_resnet_v2,
    inception_v3,
    mobilenet,
    mobilenet_v2,
    mobilenet_v3,
    resnet,
    resnet50,
    resnet_v2,
    vgg16,
    vgg19,
    xception,
)

_FAMILIES = (densenet, inception_resnet_v2, inception_v3, mobilenet, mobilenet_v2, mobilenet_v3,
             resnet, resnet50, resnet_v2, vgg16, vgg19, xception,
             efficientnet, efficientnet_v2, convnext)
_SHARED = {"preprocess_input", "decode_predictions"}

for _module in _FAMILIES:
    for _name in _module.__all__:
        if _name not in _SHARED:
            globals()[_name] = getattr(_module, _name)

__all__ = [n for n in sorted({n for m in _FAMILIES for n in m.__all__} - _SHARED)] + [
    m.__name__.rsplit(".", 1)[1] for m in (imagenet_utils,) + _FAMILIES]
del _module, _name

"""mini_keras: a Keras-3-style deep-learning library on numpy, PyTorch, JAX and TensorFlow."""
__version__ = "0.1.0"

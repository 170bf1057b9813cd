"""A learner's file, written for these tests: the classes of the book's chapters with
the arithmetic the app's book mode uses (DESIGN's facts, in our own code), so a run of
them must reproduce the app's book-mode history bit for bit.

Some forward methods take the later chapters' ``training`` argument and some do not:
the app has to cope with both. The tests plant mistakes in copies of this text.
"""

import numpy as np


class Layer_Dense:
    def __init__(self, n_inputs, n_neurons, weight_regularizer_l1=0, weight_regularizer_l2=0,
                 bias_regularizer_l1=0, bias_regularizer_l2=0):
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))
        self.weight_regularizer_l1 = weight_regularizer_l1
        self.weight_regularizer_l2 = weight_regularizer_l2
        self.bias_regularizer_l1 = bias_regularizer_l1
        self.bias_regularizer_l2 = bias_regularizer_l2

    def forward(self, inputs, training):
        self.inputs = inputs
        self.output = np.dot(inputs, self.weights) + self.biases

    def backward(self, dvalues):
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        if self.weight_regularizer_l1 > 0:
            self.dweights += self.weight_regularizer_l1 * signs(self.weights)
        if self.weight_regularizer_l2 > 0:
            self.dweights += 2 * self.weight_regularizer_l2 * self.weights
        if self.bias_regularizer_l1 > 0:
            self.dbiases += self.bias_regularizer_l1 * signs(self.biases)
        if self.bias_regularizer_l2 > 0:
            self.dbiases += 2 * self.bias_regularizer_l2 * self.biases
        self.dinputs = np.dot(dvalues, self.weights.T)


def signs(values):
    """The derivative of |v|: 1, or -1 where v < 0."""
    out = np.ones_like(values)
    out[values < 0] = -1
    return out


class Layer_Dropout:
    def __init__(self, rate):
        self.keep = 1 - rate

    def forward(self, inputs, training):
        self.inputs = inputs
        if not training:
            self.output = inputs.copy()
            return
        self.mask = np.random.binomial(1, self.keep, size=inputs.shape) / self.keep
        self.output = inputs * self.mask

    def backward(self, dvalues):
        self.dinputs = dvalues * self.mask


class Activation_ReLU:
    def forward(self, inputs, training):
        self.inputs = inputs
        self.output = np.maximum(0, inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()
        self.dinputs[self.inputs <= 0] = 0


class Activation_Softmax:
    def forward(self, inputs):
        self.inputs = inputs
        shifted = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
        self.output = shifted / np.sum(shifted, axis=1, keepdims=True)

    def backward(self, dvalues):
        self.dinputs = np.empty_like(dvalues)
        for i, (row, d) in enumerate(zip(self.output, dvalues, strict=True)):
            column = row.reshape(-1, 1)
            jacobian = np.diagflat(column) - np.dot(column, column.T)
            self.dinputs[i] = np.dot(jacobian, d)


class Activation_Sigmoid:
    def forward(self, inputs):
        self.inputs = inputs
        self.output = 1 / (1 + np.exp(-inputs))

    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output) * self.output


class Activation_Linear:
    def forward(self, inputs, training=True):
        self.inputs = inputs
        self.output = inputs

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()


class Loss:
    def regularization_loss(self, layer):
        total = 0
        if layer.weight_regularizer_l1 > 0:
            total += layer.weight_regularizer_l1 * np.sum(np.abs(layer.weights))
        if layer.weight_regularizer_l2 > 0:
            total += layer.weight_regularizer_l2 * np.sum(layer.weights * layer.weights)
        if layer.bias_regularizer_l1 > 0:
            total += layer.bias_regularizer_l1 * np.sum(np.abs(layer.biases))
        if layer.bias_regularizer_l2 > 0:
            total += layer.bias_regularizer_l2 * np.sum(layer.biases * layer.biases)
        return total

    def calculate(self, output, y):
        return np.mean(self.forward(output, y))


class Loss_CategoricalCrossentropy(Loss):
    def forward(self, y_pred, y_true):
        clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)
        if len(y_true.shape) == 1:
            picked = clipped[range(len(y_pred)), y_true]
        else:
            picked = np.sum(clipped * y_true, axis=1)
        return -np.log(picked)

    def backward(self, dvalues, y_true):
        if len(y_true.shape) == 1:
            y_true = np.eye(dvalues.shape[1])[y_true]
        self.dinputs = -y_true / dvalues / len(dvalues)


class Activation_Softmax_Loss_CategoricalCrossentropy:
    def __init__(self):
        self.activation = Activation_Softmax()
        self.loss = Loss_CategoricalCrossentropy()

    def forward(self, inputs, y_true):
        self.activation.forward(inputs)
        self.output = self.activation.output
        return self.loss.calculate(self.output, y_true)

    def backward(self, dvalues, y_true):
        if len(y_true.shape) == 2:
            y_true = np.argmax(y_true, axis=1)
        self.dinputs = dvalues.copy()
        self.dinputs[range(len(dvalues)), y_true] -= 1
        self.dinputs = self.dinputs / len(dvalues)


class Loss_BinaryCrossentropy(Loss):
    def forward(self, y_pred, y_true):
        p = np.clip(y_pred, 1e-7, 1 - 1e-7)
        return np.mean(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), axis=-1)

    def backward(self, dvalues, y_true):
        p = np.clip(dvalues, 1e-7, 1 - 1e-7)
        outputs = dvalues.shape[1]
        self.dinputs = -(y_true / p - (1 - y_true) / (1 - p)) / outputs
        self.dinputs = self.dinputs / len(dvalues)


class Loss_MeanSquaredError(Loss):
    def forward(self, y_pred, y_true):
        return np.mean((y_true - y_pred) ** 2, axis=-1)

    def backward(self, dvalues, y_true):
        outputs = dvalues.shape[1]
        self.dinputs = -2 * (y_true - dvalues) / outputs
        self.dinputs = self.dinputs / len(dvalues)


class Loss_MeanAbsoluteError(Loss):
    def forward(self, y_pred, y_true):
        return np.mean(np.abs(y_true - y_pred), axis=-1)

    def backward(self, dvalues, y_true):
        outputs = dvalues.shape[1]
        self.dinputs = np.sign(dvalues - y_true) / outputs
        self.dinputs = self.dinputs / len(dvalues)


class Optimizer_SGD:
    def __init__(self, learning_rate=1.0, decay=0.0, momentum=0.0):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.momentum = momentum

    def pre_update_params(self):
        if self.decay:
            self.current_learning_rate = \
                self.learning_rate * (1.0 / (1.0 + self.decay * self.iterations))

    def update_params(self, layer):
        if self.momentum:
            if not hasattr(layer, "weight_momentums"):
                layer.weight_momentums = np.zeros_like(layer.weights)
                layer.bias_momentums = np.zeros_like(layer.biases)
            weight_step = self.momentum * layer.weight_momentums \
                - self.current_learning_rate * layer.dweights
            bias_step = self.momentum * layer.bias_momentums \
                - self.current_learning_rate * layer.dbiases
            layer.weight_momentums, layer.bias_momentums = weight_step, bias_step
        else:
            weight_step = -self.current_learning_rate * layer.dweights
            bias_step = -self.current_learning_rate * layer.dbiases
        layer.weights += weight_step
        layer.biases += bias_step

    def post_update_params(self):
        self.iterations += 1


class Optimizer_Adagrad:
    def __init__(self, learning_rate=1.0, decay=0.0, epsilon=1e-7):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.epsilon = epsilon

    def pre_update_params(self):
        if self.decay:
            self.current_learning_rate = \
                self.learning_rate * (1.0 / (1.0 + self.decay * self.iterations))

    def update_params(self, layer):
        if not hasattr(layer, "weight_cache"):
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_cache = np.zeros_like(layer.biases)
        layer.weight_cache += layer.dweights ** 2
        layer.bias_cache += layer.dbiases ** 2
        layer.weights += -self.current_learning_rate * layer.dweights / \
            (np.sqrt(layer.weight_cache) + self.epsilon)
        layer.biases += -self.current_learning_rate * layer.dbiases / \
            (np.sqrt(layer.bias_cache) + self.epsilon)

    def post_update_params(self):
        self.iterations += 1


class Optimizer_RMSprop(Optimizer_Adagrad):
    def __init__(self, learning_rate=0.001, decay=0.0, epsilon=1e-7, rho=0.9):
        super().__init__(learning_rate, decay, epsilon)
        self.rho = rho

    def update_params(self, layer):
        if not hasattr(layer, "weight_cache"):
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_cache = np.zeros_like(layer.biases)
        rho = self.rho
        layer.weight_cache = rho * layer.weight_cache + (1 - rho) * layer.dweights ** 2
        layer.bias_cache = rho * layer.bias_cache + (1 - rho) * layer.dbiases ** 2
        layer.weights += -self.current_learning_rate * layer.dweights / \
            (np.sqrt(layer.weight_cache) + self.epsilon)
        layer.biases += -self.current_learning_rate * layer.dbiases / \
            (np.sqrt(layer.bias_cache) + self.epsilon)


class Optimizer_Adam:
    def __init__(self, learning_rate=0.001, decay=0.0, epsilon=1e-7, beta_1=0.9,
                 beta_2=0.999):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.epsilon = epsilon
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def pre_update_params(self):
        if self.decay:
            self.current_learning_rate = \
                self.learning_rate * (1.0 / (1.0 + self.decay * self.iterations))

    def update_params(self, layer):
        if not hasattr(layer, "weight_cache"):
            layer.weight_momentums = np.zeros_like(layer.weights)
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_momentums = np.zeros_like(layer.biases)
            layer.bias_cache = np.zeros_like(layer.biases)
        b1, b2, t = self.beta_1, self.beta_2, self.iterations + 1
        layer.weight_momentums = b1 * layer.weight_momentums + (1 - b1) * layer.dweights
        layer.bias_momentums = b1 * layer.bias_momentums + (1 - b1) * layer.dbiases
        weight_m = layer.weight_momentums / (1 - b1 ** t)
        bias_m = layer.bias_momentums / (1 - b1 ** t)
        layer.weight_cache = b2 * layer.weight_cache + (1 - b2) * layer.dweights ** 2
        layer.bias_cache = b2 * layer.bias_cache + (1 - b2) * layer.dbiases ** 2
        weight_v = layer.weight_cache / (1 - b2 ** t)
        bias_v = layer.bias_cache / (1 - b2 ** t)
        layer.weights += -self.current_learning_rate * weight_m / (np.sqrt(weight_v) + self.epsilon)
        layer.biases += -self.current_learning_rate * bias_m / (np.sqrt(bias_v) + self.epsilon)

    def post_update_params(self):
        self.iterations += 1

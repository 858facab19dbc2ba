package org.tuneless.nn;

/** What a parameter tensor is for; optimizers such as AGD treat weights, biases and gains differently. */
public enum ParamRole { WEIGHT, BIAS, GAIN }

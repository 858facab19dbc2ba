/** Tuneless: training neural networks without tuning the learning rate. */
package org.tuneless;

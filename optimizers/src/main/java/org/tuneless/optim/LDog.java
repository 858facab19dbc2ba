package org.tuneless.optim;

/**
 * Layer-wise DoG, LDoG (Ivgi, Hinder & Carmon, arXiv 2302.12022: the per-layer variant of eq. 1): {@link Dog}'s rule applied to
 * every parameter tensor separately, η_p = r̄_p/√G_p with r̄_p = max(repsRel·(1 + ‖x_{0,p}‖), max_i ‖x_{i,p} − x_{0,p}‖)
 * and G_p = ε + Σ_i ‖g_{i,p}‖². As in the official implementation ({@code dog.LDoG}), a "layer" is one parameter
 * tensor: a weight and its bias are separate, and the code's differences from the paper listed on {@link Dog} (r_ε
 * inside the max, ε added once, decay entering G) hold per tensor. On a single tensor LDoG equals DoG.
 *
 * See docs/methods.md §9.1.
 *
 * <p>Reports the <em>largest</em> η over the tensors as the learning rate; diagnostics {@code ldog.eta_max},
 * {@code ldog.eta_min} and every tensor's {@code ldog.eta/NAME}.
 */
public final class LDog extends Dog {

    /** Official defaults: repsRel 1e-6, eps 1e-8, no initEta, no weight decay, lr 1. */
    public LDog() { this(1e-6, 1e-8, Double.NaN, 0, 1.0); }

    public LDog(double repsRel, double eps, double initEta, double weightDecay, double lr) {
        super(repsRel, eps, initEta, weightDecay, lr, true, "LDoG");
    }
}

package org.tuneless.optim;

/**
 * AdamW (Loshchilov & Hutter 2019) with torch.optim.AdamW semantics: Adam without coupled L2, and decoupled decay
 * w ← w − lr·λ·w applied with the step. Defaults lr 1e-3, β = (0.9, 0.999), ε 1e-8, λ = 1e-2 (torch's default).
 */
public class AdamW extends Adam {

    public AdamW(double lr) { this(lr, 0.9, 0.999, 1e-8, 1e-2); }

    public AdamW(double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(lr, beta1, beta2, eps, weightDecay, true, "AdamW");
    }
}

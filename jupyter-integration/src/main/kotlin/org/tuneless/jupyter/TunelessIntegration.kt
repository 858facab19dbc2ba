package org.tuneless.jupyter

import org.jetbrains.kotlinx.jupyter.api.libraries.JupyterIntegration

/** `%use tuneless`: imports the DSL and the core packages into the notebook. */
class TunelessIntegration : JupyterIntegration() {
    override fun Builder.onLoaded() {
        import("org.tuneless.dsl.*")
    }
}

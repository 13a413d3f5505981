package com.unipos.app.ui.screens

import android.text.InputType
import android.view.View
import android.widget.EditText
import android.widget.Switch
import com.unipos.app.R
import com.unipos.app.UniPosApplication
import com.unipos.app.provisioning.ApplyResult
import com.unipos.app.provisioning.Field
import com.unipos.app.provisioning.ManagedConfig
import com.unipos.app.provisioning.Provisioning
import com.unipos.app.provisioning.Source
import com.unipos.app.provisioning.toInput
import com.unipos.app.ui.Look
import com.unipos.app.ui.Screen
import com.unipos.app.ui.Ui
import com.unipos.core.PosResult
import java.util.concurrent.Executors

/**
 * 参数设置 (issue 13): the acquirer settings of a single terminal, behind the supervisor's
 * settings grant. The same validator as managed configuration: a bad value is refused with a
 * message naming the field, and nothing is applied unless everything is valid and the core opens
 * with it. A terminal under a management system gets its settings from there.
 */
class SetupScreen(
    private val grant: String,
    var values: MutableMap<Field, String>? = null,
    var managed: Boolean = false,
) : Screen() {
    override val title = R.string.manage_setup
    private var outcome: String? = null
    private var refused: Set<Field> = emptySet()
    private var bad = false
    private val inputs = LinkedHashMap<Field, EditText>()
    private val switches = LinkedHashMap<Field, Switch>()
    private val app get() = ui.activity.application as UniPosApplication

    override fun onShown() {
        if (values != null) return
        background.execute {
            // Settings and managed configuration are disk and IPC reads: not on the main thread.
            val current = app.runtime.settings.profile?.toInput().orEmpty()
            val isManaged = ManagedConfig.read(app) != null
            ui.activity.runOnUiThread {
                if (!isCurrent) return@runOnUiThread
                values = LinkedHashMap(current); managed = isManaged; refresh()
            }
        }
    }

    override fun build(ui: Ui): View {
        val v = values ?: return ui.scroll(ui.column(ui.label(R.string.loading, color = R.color.text_secondary)))
        inputs.clear(); switches.clear()
        val rows = ArrayList<View>()
        if (managed) rows += ui.banner(ui.str(R.string.setup_managed), R.color.warning, R.color.warning_bg)
        outcome?.let { rows += ui.banner(it, if (bad) R.color.declined else R.color.text, if (bad) R.color.declined_bg else R.color.brand_light) }
        for (f in Field.values()) {
            if (f in ON_OFF) {
                rows += ui.toggle(f.title, v[f].toBoolean()).also { switches[f] = it }
                continue
            }
            val multi = f == Field.POSP_ADDRESSES || f == Field.POSP_CA_PEM || f == Field.QR_GATEWAY_CA_PEM || f == Field.ACQUIRER_PROFILE_JSON || f == Field.ALLOWED_CALLERS
            val type = when (f) {
                Field.CONNECT_TIMEOUT_MS, Field.RESPONSE_TIMEOUT_MS, Field.REVERSAL_RETRIES, Field.RECEIPT_WIDTH, Field.BATCH_LIMIT -> InputType.TYPE_CLASS_NUMBER
                else -> InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS
            }
            rows += ui.label(f.title, bold = true, color = if (f in refused) R.color.declined else R.color.text)
            rows += ui.input(f.title, v[f].orEmpty(), type, if (multi) 4 else 1).also { inputs[f] = it }
        }
        rows += ui.button(R.string.action_apply) { apply() }
        rows += ui.button(R.string.action_cancel, Look.SECONDARY) { nav.back() }
        return ui.scroll(ui.column(*rows.toTypedArray(), gap = R.dimen.gap_small))
    }

    private fun apply() {
        val typed = LinkedHashMap<Field, Any>()
        for ((f, input) in inputs) {
            val text = input.text.toString()
            values?.set(f, text)
            if (text.isNotBlank()) typed[f] = text
        }
        for ((f, switch) in switches) {
            values?.set(f, switch.isChecked.toString())
            typed[f] = switch.isChecked
        }
        // The engine checks the supervisor's settings grant first; then the one validator decides.
        desk.desk({ d -> d.checkSettingsGrant(grant) }) { checked ->
            if (!isCurrent) return@desk
            if (checked is PosResult.Failure) { outcome = ui.passwordProblem(checked); bad = true; refused = emptySet(); refresh(); return@desk }
            background.execute {
                val result = app.applyProvisioning(Provisioning(typed), Source.LOCAL)
                ui.activity.runOnUiThread { if (isCurrent) shown(result) }
            }
        }
    }

    private fun shown(r: ApplyResult) {
        refused = (r as? ApplyResult.Rejected)?.errors?.map { it.field }?.toSet().orEmpty()
        bad = r is ApplyResult.Rejected || r is ApplyResult.Failed
        outcome = when (r) {
            is ApplyResult.Applied -> ui.str(R.string.setup_applied)
            ApplyResult.Unchanged -> ui.str(R.string.setup_unchanged)
            is ApplyResult.Rejected -> r.message
            is ApplyResult.Failed -> r.message
        }
        refresh()
    }

    private companion object {
        /** Settings that are on or off: a switch, not a text to type "true" into. */
        val ON_OFF = setOf(Field.POSP_TLS)

        val background = Executors.newSingleThreadExecutor { r -> Thread(r, "unipos-setup").apply { isDaemon = true } }
    }
}

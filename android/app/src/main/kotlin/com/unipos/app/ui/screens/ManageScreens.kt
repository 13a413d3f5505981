package com.unipos.app.ui.screens

import android.text.InputFilter
import android.text.InputType
import android.view.View
import com.unipos.app.R
import com.unipos.app.ui.Look
import com.unipos.app.ui.Results
import com.unipos.app.ui.Screen
import com.unipos.app.ui.Ui
import com.unipos.core.CashierCore
import com.unipos.core.PosCore
import com.unipos.core.PosResult
import com.unipos.core.ffi.GuardedAction
import com.unipos.core.ffi.OperatorInfo
import com.unipos.core.ffi.SupervisorGrant

/** 管理: operators, terminal information, parameters, key status, tests, version, setup. */
class ManageScreen : Screen() {
    override val title = R.string.fn_manage

    override fun build(ui: Ui): View = ui.scroll(ui.column(
        ui.button(R.string.manage_operators, Look.SECONDARY) {
            nav.push(SupervisorScreen(GuardedAction.OPERATOR_MANAGEMENT) { g -> nav.replace(OperatorsScreen(g)) })
        },
        ui.button(R.string.manage_terminal, Look.SECONDARY) { nav.push(InfoScreen(Info.TERMINAL)) },
        ui.button(R.string.manage_parameters, Look.SECONDARY) { nav.push(InfoScreen(Info.PARAMETERS)) },
        ui.button(R.string.manage_keys, Look.SECONDARY) { nav.push(InfoScreen(Info.KEYS)) },
        ui.button(R.string.manage_comm_test, Look.SECONDARY) { nav.push(InfoScreen(Info.ECHO)) },
        ui.button(R.string.manage_printer_test, Look.SECONDARY) { nav.push(InfoScreen(Info.PRINTER)) },
        ui.button(R.string.manage_version, Look.SECONDARY) { nav.push(InfoScreen(Info.VERSION)) },
        ui.button(R.string.manage_setup, Look.SECONDARY) {
            nav.push(SupervisorScreen(GuardedAction.SETTINGS) { g -> nav.replace(SetupScreen(g.token)) })
        },
        ui.button(R.string.action_sign_out_operator, Look.QUIET) {
            desk.desk({ d -> d.signOutOperator() }) { nav.operator = null; nav.resetTo(SignInScreen()) }
        },
    ))
}

/** The read-only information screens, each one engine call. */
enum class Info(val title: Int) {
    TERMINAL(R.string.manage_terminal), PARAMETERS(R.string.manage_parameters), KEYS(R.string.manage_keys),
    ECHO(R.string.manage_comm_test), PRINTER(R.string.manage_printer_test), VERSION(R.string.manage_version);

    /** Rows of (label, value), label already resolved: the engine's names for parameters. */
    suspend fun load(core: PosCore, ui: Ui): PosResult<List<Pair<String, String>>> {
        val d: CashierCore = core.desk
        return when (this@Info) {
            TERMINAL -> d.parameters().map { ps ->
                ps.filter { it.name in TERMINAL_ROWS }.map { ui.str(paramLabel(it.name) ?: R.string.kind_other) to it.value } +
                    listOfNotNull(d.currentOperator().getOrNull()?.let { ui.str(R.string.detail_operator) to it.number })
            }
            PARAMETERS -> d.parameters().map { ps -> ps.map { p -> (paramLabel(p.name)?.let { ui.str(it) } ?: p.name) to p.value } }
            KEYS -> d.keyStatus().map { k ->
                listOf(ui.str(R.string.keys_installed) to ui.str(if (k.workKeysInstalled) R.string.yes else R.string.no)) +
                    k.keys.map { ui.str(R.string.keys_check_value, it.role) to it.checkValue }
            }
            ECHO -> d.echoTest().map { e ->
                listOf(ui.str(R.string.echo_answer) to e.responseCode, ui.str(R.string.echo_round_trip) to ui.str(R.string.echo_ms, e.roundTripMs))
            }
            PRINTER -> d.printerTest().map { lines -> listOf(ui.str(R.string.printer_ok) to ui.str(R.string.printer_lines, lines.size)) }
            VERSION -> PosResult.Success(listOf(
                ui.str(R.string.version_app) to ui.activity.packageManager.getPackageInfo(ui.activity.packageName, 0).versionName.orEmpty(),
                ui.str(R.string.version_core) to core.version,
            ))
        }
    }
}

/** The engine's parameter names in the cashier's words (unknown names are shown as they are). */
fun paramLabel(name: String): Int? = when (name) {
    "terminal_id" -> R.string.info_terminal_id
    "merchant_id" -> R.string.info_merchant_id
    "merchant_name" -> R.string.info_merchant_name
    "posp" -> R.string.info_posp
    "qr_gateway" -> R.string.info_qr_gateway
    "profile" -> R.string.param_profile
    "tpdu" -> R.string.param_tpdu
    "mac_scheme" -> R.string.param_mac_scheme
    "key_mode" -> R.string.param_key_mode
    "currency" -> R.string.param_currency
    "connect_timeout_ms" -> R.string.param_connect_timeout
    "response_timeout_ms" -> R.string.param_response_timeout
    "reversal_retries" -> R.string.param_reversal_retries
    "partial_approval" -> R.string.param_partial_approval
    "auto_settlement" -> R.string.param_auto_settlement
    "receipt_width" -> R.string.param_receipt_width
    "batch" -> R.string.detail_batch
    "last_trace" -> R.string.info_last_trace
    "downloaded_parameters" -> R.string.param_downloaded
    "ca_keys" -> R.string.param_ca_keys
    "aids" -> R.string.param_aids
    else -> null
}

/** The rows of the terminal information screen (the rest is on the parameters screen). */
private val TERMINAL_ROWS = setOf("terminal_id", "merchant_id", "merchant_name", "batch", "last_trace", "posp", "qr_gateway")

/** One information screen: rows loaded from the engine, or a failure in words. */
class InfoScreen(private val info: Info, var rows: List<Pair<String, String>>? = null, var problem: String? = null) : Screen() {
    override val title get() = info.title

    override fun onShown() {
        if (rows != null) return
        desk.call({ c -> info.load(c, ui) }) { r ->
            if (!isCurrent) return@call
            when (r) {
                is PosResult.Success -> rows = r.value
                is PosResult.Failure -> problem = Results.errorText(r.code)?.let { ui.str(it) } ?: r.message
            }
            refresh()
        }
    }

    override fun build(ui: Ui): View {
        val body: List<View> = when {
            problem != null -> listOf(ui.banner(problem.orEmpty(), R.color.declined, R.color.declined_bg))
            rows == null -> listOf(ui.label(R.string.loading, color = R.color.text_secondary))
            else -> listOf(ui.card(*rows.orEmpty().map { (k, v) -> ui.pairText(k, v) }.toTypedArray()))
        }
        return ui.scroll(ui.column(*body.toTypedArray()))
    }
}

/**
 * 操作员管理 (with the supervisor's management grant): the accounts; add one, delete one, set a
 * new password for one. The engine checks the grant, the numbers and the password rules.
 */
class OperatorsScreen(private val grant: SupervisorGrant?, var operators: List<OperatorInfo>? = null) : Screen() {
    override val title = R.string.manage_operators
    private var number = ""
    private var password = ""
    private var message: String? = null
    private var failed = false

    override fun onShown() = load()

    private fun load() = desk.desk({ d -> d.operators() }) { r ->
        if (!isCurrent) return@desk
        operators = (r as? PosResult.Success)?.value
        refresh()
    }

    private fun change(block: suspend CashierCore.(String) -> PosResult<Unit>, ok: Int) {
        val token = grant?.token.orEmpty()
        desk.desk({ d -> d.block(token) }) { r ->
            if (!isCurrent) return@desk
            failed = r is PosResult.Failure
            message = when (r) {
                is PosResult.Success -> ui.str(ok, number)
                is PosResult.Failure -> ui.passwordProblem(r)
            }
            password = ""
            refresh()
            load()
        }
    }

    override fun build(ui: Ui): View {
        val numberIn = ui.input(R.string.signin_number, number, InputType.TYPE_CLASS_NUMBER).apply { filters = arrayOf(InputFilter.LengthFilter(2)) }
        val passwordIn = ui.input(R.string.operators_new_password, password,
            InputType.TYPE_CLASS_NUMBER or InputType.TYPE_NUMBER_VARIATION_PASSWORD).apply { filters = arrayOf(InputFilter.LengthFilter(12)) }
        fun read() { number = numberIn.text.toString(); password = passwordIn.text.toString() }
        val list = operators
        val rows: List<View> = list?.map { o ->
            val flags = listOfNotNull(
                if (o.isSupervisor) ui.str(R.string.operators_supervisor) else ui.str(R.string.operators_operator),
                if (o.signedIn) ui.str(R.string.operators_signed_in) else null,
                if (o.mustChangePassword) ui.str(R.string.operators_must_change) else null,
                if (o.lockedUntil != null) ui.str(R.string.operators_locked) else null,
            ).joinToString(ui.str(R.string.list_separator))
            ui.pairText(o.number, flags)
        } ?: listOf(ui.label(R.string.loading, color = R.color.text_secondary))
        return ui.scroll(ui.column(
            ui.card(*rows.toTypedArray()),
            message?.let { ui.banner(it, if (failed) R.color.declined else R.color.text, if (failed) R.color.declined_bg else R.color.brand_light) },
            numberIn,
            passwordIn,
            ui.row(
                ui.button(R.string.operators_add) { read(); val (n, p) = number to password; change({ t -> addOperator(t, n, p) }, R.string.operators_added) },
                ui.button(R.string.operators_reset, Look.SECONDARY) { read(); val (n, p) = number to password; change({ t -> resetPassword(t, n, p) }, R.string.operators_was_reset) },
            ),
            ui.button(R.string.operators_delete, Look.DANGER) { read(); val n = number; change({ t -> deleteOperator(t, n) }, R.string.operators_deleted) },
        ))
    }
}

package com.unipos.app.ui.screens

import android.view.Gravity
import android.view.View
import com.unipos.app.R
import com.unipos.app.cashier.Money
import com.unipos.app.cashier.TxnDone
import com.unipos.app.ui.Flows
import com.unipos.app.ui.Job
import com.unipos.app.ui.Look
import com.unipos.app.ui.Results
import com.unipos.app.ui.Screen
import com.unipos.app.ui.StatusIcon
import com.unipos.app.ui.Ui
import com.unipos.app.ui.Verdict
import com.unipos.core.PosResult
import com.unipos.core.ffi.GuardedAction
import com.unipos.core.ffi.SettlementReport
import com.unipos.core.ffi.Total
import kotlinx.coroutines.runBlocking

/** 结算: settles the open batch after the supervisor's password; the engine uploads when needed. */
class SettlementScreen(var batch: Int? = null) : Screen() {
    override val title = R.string.fn_settle

    override fun onShown() {
        if (batch != null) return
        desk.call({ c -> c.currentBatch() }) { r ->
            if (!isCurrent) return@call
            batch = (r as? PosResult.Success)?.value
            refresh()
        }
    }

    override fun build(ui: Ui): View = ui.scroll(ui.column(
        ui.card(
            ui.pair(R.string.detail_batch, batch?.let { "%06d".format(it) } ?: ui.str(R.string.loading)),
            ui.label(R.string.settle_explain, color = R.color.text_secondary),
        ),
        ui.button(R.string.action_settle) {
            nav.push(SupervisorScreen(GuardedAction.SETTLEMENT) { grant ->
                Flows.start(nav, Job(R.string.fn_settle, null) { core, _ ->
                    runBlocking { core.desk.settle(grant.token) }.map { TxnDone.Settled(it) }
                }, replace = true)
            })
        },
    ))
}

/**
 * 结算单: the batch's report from the engine: balanced, or uploaded after the totals differed;
 * card totals by kind and by domestic/foreign debit/credit; QR payments by channel; then print.
 */
class SettlementReportScreen(private val report: SettlementReport) : Screen() {
    override val title = R.string.settle_report_title
    private var printed: String? = null

    override fun build(ui: Ui): View {
        val verdict = Verdict.APPROVED
        val head = ui.column(
            ui.label(if (report.balanced && !report.batchUploaded) R.string.settle_balanced else R.string.settle_uploaded,
                size = R.dimen.text_result, color = verdict.color, bold = true).apply { gravity = Gravity.CENTER },
            if (report.batchUploaded) ui.label(R.string.settle_uploaded_count, report.recordsUploaded, color = R.color.text_secondary).apply { gravity = Gravity.CENTER } else null,
        ).apply {
            // The icon keeps its own size (the column would stretch it to the full width).
            addView(StatusIcon(ui.activity, verdict.mark, ui.color(verdict.color)), 0,
                android.widget.LinearLayout.LayoutParams(ui.px(R.dimen.status_icon), ui.px(R.dimen.status_icon)).apply {
                    gravity = Gravity.CENTER_HORIZONTAL
                })
            background = ui.rounded(ui.color(verdict.bg))
            val p = ui.px(R.dimen.gap)
            setPadding(p, p, p, p)
        }
        fun totals(title: Int, list: List<Total>, name: (String) -> String): View = ui.card(
            ui.label(title, bold = true),
            *(if (list.isEmpty()) listOf(ui.label(R.string.settle_none, color = R.color.text_secondary))
            else list.map { t -> ui.pairText(name(t.name), ui.str(R.string.settle_count_amount, t.count, Money.yuan(t.amount))) }).toTypedArray(),
        )
        return ui.scroll(ui.column(
            head,
            ui.card(
                ui.pair(R.string.detail_batch, "%06d".format(report.batch)),
                ui.pair(R.string.detail_date, report.settledAt),
            ),
            totals(R.string.settle_by_kind, report.byKind) { n -> kindName(ui, n) },
            totals(R.string.settle_cards, report.cardTotals) { n -> ui.str(cardTotalName(n)) },
            totals(R.string.settle_qr, report.qrByChannel) { n -> ui.str(Results.channelName(n)) },
            printed?.let { ui.banner(it, R.color.text, R.color.brand_light) },
            ui.button(R.string.action_print_report, Look.SECONDARY) { print() },
            ui.button(R.string.action_done) { nav.resetTo(HomeScreen()) },
        ))
    }

    private fun print() = desk.desk({ d -> d.printSettlement(report.batch) }) { r ->
        if (!isCurrent) return@desk
        when (r) {
            is PosResult.Success -> nav.push(ReceiptScreen(R.string.settle_report_title, listOf(r.value)))
            is PosResult.Failure -> { printed = Results.errorText(r.code)?.let { ui.str(it) } ?: r.message; refresh() }
        }
    }

    private fun kindName(ui: Ui, name: String): String = when (name) {
        "sale" -> ui.str(R.string.fn_sale)
        "sale_void" -> ui.str(R.string.fn_void)
        "refund" -> ui.str(R.string.fn_refund)
        "completion" -> ui.str(R.string.fn_completion)
        "completion_advice" -> ui.str(R.string.fn_completion_advice)
        "completion_void" -> ui.str(R.string.fn_completion_void)
        "preauth" -> ui.str(R.string.fn_preauth)
        "preauth_void" -> ui.str(R.string.fn_preauth_void)
        else -> ui.str(R.string.kind_other)
    }

    private fun cardTotalName(name: String): Int = when (name) {
        "domestic debit" -> R.string.settle_domestic_debit
        "domestic credit" -> R.string.settle_domestic_credit
        "foreign debit" -> R.string.settle_foreign_debit
        "foreign credit" -> R.string.settle_foreign_credit
        else -> R.string.kind_other
    }
}

/** [Ui.pair] with a label already resolved. */
fun Ui.pairText(label: String, value: String): View = row(text(label, color = R.color.text_secondary), text(value).apply { gravity = Gravity.END })

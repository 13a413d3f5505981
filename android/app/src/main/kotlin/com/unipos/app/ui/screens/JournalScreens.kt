package com.unipos.app.ui.screens

import android.text.InputFilter
import android.text.InputType
import android.view.View
import android.widget.EditText
import com.unipos.app.R
import com.unipos.app.cashier.Money
import com.unipos.app.ui.Look
import com.unipos.app.ui.Results
import com.unipos.app.ui.Screen
import com.unipos.app.ui.Ui
import com.unipos.core.PosResult
import com.unipos.core.ffi.JournalFilter
import com.unipos.core.ffi.KindGroup
import com.unipos.core.ffi.OriginalView
import com.unipos.core.ffi.OutcomeStatus
import com.unipos.core.ffi.TxnKind

/** 交易查询: the journal, newest first, filtered by kind or trace; tap an entry for its detail. */
class JournalScreen(
    private var group: KindGroup = KindGroup.ALL,
    var entries: List<OriginalView>? = null,
) : Screen() {
    override val title = R.string.fn_journal
    private var trace: String = ""

    override fun onShown() = load()

    private fun load() {
        val filter = JournalFilter(group, trace.toIntOrNull(), null, 100)
        desk.desk({ d -> d.journal(filter) }) { r ->
            if (!isCurrent) return@desk
            entries = (r as? PosResult.Success)?.value.orEmpty()
            refresh()
        }
    }

    override fun build(ui: Ui): View {
        val groups = listOf(
            KindGroup.ALL to R.string.filter_all, KindGroup.SALES to R.string.filter_sales,
            KindGroup.VOIDS to R.string.filter_voids, KindGroup.REFUNDS to R.string.filter_refunds,
            KindGroup.PRE_AUTHS to R.string.filter_preauths, KindGroup.BALANCE to R.string.filter_balance,
        )
        val chips = groups.chunked(3).map { row ->
            ui.row(*row.map { (g, label) ->
                ui.button(label, if (g == group) Look.PRIMARY else Look.SECONDARY) { group = g; entries = null; refresh(); load() }
            }.toTypedArray())
        }
        val traceInput: EditText = ui.input(R.string.find_trace, trace, InputType.TYPE_CLASS_NUMBER).apply {
            filters = arrayOf(InputFilter.LengthFilter(6))
        }
        val search = ui.row(traceInput, ui.button(R.string.action_find, Look.SECONDARY) {
            trace = traceInput.text.toString(); entries = null; refresh(); load()
        })
        val list = entries
        val rows: List<View> = when {
            list == null -> listOf(ui.label(R.string.loading, color = R.color.text_secondary))
            list.isEmpty() -> listOf(ui.label(R.string.journal_empty, color = R.color.text_secondary))
            else -> list.map { v -> ui.entryRow(v) { nav.push(DetailScreen(v)) } }
        }
        return ui.scroll(ui.column(*chips.toTypedArray(), search, *rows.toTypedArray()))
    }
}

/** 交易详情: one entry, and what can be done with it (the engine decides whether it may). */
class DetailScreen(private val view: OriginalView) : Screen() {
    override val title = R.string.detail_title

    override fun build(ui: Ui): View {
        val o = view.outcome
        val pairs = listOfNotNull(
            ui.pair(R.string.detail_kind, ui.str(kindText(o.kind))),
            ui.pair(R.string.detail_state, when {
                view.voided -> ui.str(R.string.status_voided)
                view.completed -> ui.str(R.string.status_completed)
                else -> ui.str(statusText(o.status))
            }),
            ui.pair(R.string.detail_amount, ui.str(R.string.amount_yuan, Money.yuan(o.amount))),
            if (o.approvedAmount != o.amount && o.approvedAmount > 0) ui.pair(R.string.detail_approved, ui.str(R.string.amount_yuan, Money.yuan(o.approvedAmount))) else null,
            if (view.refundedAmount > 0) ui.pair(R.string.detail_refunded, ui.str(R.string.amount_yuan, Money.yuan(view.refundedAmount))) else null,
            o.maskedPan?.let { ui.pair(R.string.detail_card, it) },
            ui.pair(R.string.detail_trace, "%06d".format(o.trace)),
            ui.pair(R.string.detail_batch, "%06d".format(o.batch)),
            o.rrn?.let { ui.pair(R.string.detail_rrn, it) },
            o.authCode?.let { ui.pair(R.string.detail_auth, it) },
            o.responseCode?.let { ui.pair(R.string.detail_response_code, it) },
            ui.pair(R.string.detail_date, Results.dateTime(o.date, o.time)),
            view.operator?.let { ui.pair(R.string.detail_operator, it) },
            o.cardOrg?.let { ui.pair(R.string.detail_card_org, it) },
        )
        val approved = o.status == OutcomeStatus.APPROVED && !view.voided
        val actions = ArrayList<View>()
        if (approved) actions += ui.button(R.string.action_reprint, Look.SECONDARY) { reprint(o.trace) }
        if (approved) when (o.kind) {
            TxnKind.SALE -> {
                actions += ui.button(R.string.fn_void, Look.SECONDARY) { nav.push(ConfirmScreen(Lookup.VOID, view)) }
                actions += ui.button(R.string.fn_refund, Look.SECONDARY) { nav.push(ConfirmScreen(Lookup.REFUND, view)) }
            }
            TxnKind.PRE_AUTH -> if (!view.completed) {
                actions += ui.button(R.string.fn_completion, Look.SECONDARY) { nav.push(ConfirmScreen(Lookup.COMPLETION, view)) }
                actions += ui.button(R.string.fn_preauth_void, Look.SECONDARY) { nav.push(ConfirmScreen(Lookup.PREAUTH_VOID, view)) }
            }
            TxnKind.COMPLETION -> actions += ui.button(R.string.fn_completion_void, Look.SECONDARY) { nav.push(ConfirmScreen(Lookup.COMPLETION_VOID, view)) }
            else -> {}
        }
        return ui.scroll(ui.column(ui.card(*pairs.toTypedArray()), *actions.toTypedArray()))
    }

    private fun reprint(trace: Int) = desk.desk({ d -> d.reprint(trace) }) { r ->
        if (!isCurrent) return@desk
        when (r) {
            is PosResult.Success -> nav.push(ReceiptScreen(R.string.action_reprint, listOf(r.value)))
            is PosResult.Failure -> nav.push(ResultScreen(Results.failure(R.string.action_reprint, null, r, ui)))
        }
    }
}

/** 重打印: the last receipt, a trace's, or a closed batch's settlement report. */
class ReprintScreen : Screen() {
    override val title = R.string.fn_reprint
    private var trace = ""
    private var batch = ""

    override fun build(ui: Ui): View {
        val traceInput = ui.input(R.string.find_trace, trace, InputType.TYPE_CLASS_NUMBER).apply { filters = arrayOf(InputFilter.LengthFilter(6)) }
        val batchInput = ui.input(R.string.reprint_batch, batch, InputType.TYPE_CLASS_NUMBER).apply { filters = arrayOf(InputFilter.LengthFilter(6)) }
        return ui.scroll(ui.column(
            ui.button(R.string.reprint_last) { print(null) },
            ui.label(R.string.reprint_by_trace, bold = true),
            ui.row(traceInput, ui.button(R.string.action_print, Look.SECONDARY) {
                trace = traceInput.text.toString(); print(trace.toIntOrNull() ?: 0)
            }),
            ui.label(R.string.reprint_settlement, bold = true),
            ui.row(batchInput, ui.button(R.string.action_print, Look.SECONDARY) {
                batch = batchInput.text.toString()
                val b = batch.toIntOrNull() ?: -1
                desk.desk({ d -> d.printSettlement(b) }, ::shown)
            }),
        ))
    }

    private fun print(trace: Int?) = desk.desk({ d -> d.reprint(trace) }, ::shown)

    private fun shown(r: PosResult<List<String>>) {
        if (!isCurrent) return
        when (r) {
            is PosResult.Success -> nav.push(ReceiptScreen(R.string.fn_reprint, listOf(r.value)))
            is PosResult.Failure -> nav.push(ResultScreen(Results.failure(R.string.fn_reprint, null, r, ui)))
        }
    }
}

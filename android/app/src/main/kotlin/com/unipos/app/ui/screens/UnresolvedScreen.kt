package com.unipos.app.ui.screens

import android.view.View
import com.unipos.app.R
import com.unipos.app.cashier.Money
import com.unipos.app.ui.Look
import com.unipos.app.ui.Results
import com.unipos.app.ui.Screen
import com.unipos.app.ui.Ui
import com.unipos.core.PosResult
import com.unipos.core.ffi.GuardedAction
import com.unipos.core.ffi.Outcome
import com.unipos.core.ffi.QrOutcome
import com.unipos.core.ffi.QrStatus
import com.unipos.core.ffi.Unresolved

/**
 * 待处理交易: what the engine has not resolved, each with what to do. A lost answer's reversal goes
 * out before the next transaction by itself (or now); a parked reversal needs the supervisor's retry
 * (or the acquirer); an open QR order is being resolved; a late QR success must be completed or
 * refunded. In every case: do not charge the customer again.
 */
class UnresolvedScreen(var unresolved: Unresolved) : Screen() {
    override val title = R.string.unresolved_title
    private var message: String? = null

    private fun reload() = desk.desk({ d -> d.unresolved() }) { r ->
        if (!isCurrent) return@desk
        (r as? PosResult.Success)?.let { unresolved = it.value }
        refresh()
    }

    private fun flushNow() = desk.call({ c -> c.flushPending() }) { r ->
        if (!isCurrent) return@call
        message = when (r) {
            is PosResult.Success -> ui.str(R.string.unresolved_flushed, r.value.reversalsSent, r.value.reversalsParked)
            is PosResult.Failure -> Results.errorText(r.code)?.let { ui.str(it) } ?: r.message
        }
        reload()
    }

    override fun build(ui: Ui): View {
        val u = unresolved
        val items = ArrayList<View>()
        message?.let { items += ui.banner(it, R.color.text, R.color.brand_light) }
        items += ui.banner(ui.str(R.string.unresolved_do_not_charge), R.color.unknown, R.color.unknown_bg)
        fun card(o: Outcome, what: Int) = ui.card(
            ui.pairText(ui.str(kindText(o.kind)), ui.str(R.string.amount_yuan, Money.yuan(o.amount))),
            ui.pair(R.string.detail_trace, "%06d".format(o.trace)),
            o.maskedPan?.let { ui.pair(R.string.detail_card, it) },
            ui.label(what, color = R.color.text_secondary),
        )
        fun qrCard(o: QrOutcome, what: Int) = ui.card(
            ui.pairText(ui.str(if (o.dynamic) R.string.pay_show_code else R.string.pay_scan), ui.str(R.string.amount_yuan, Money.yuan(o.amount))),
            ui.pair(R.string.detail_order, o.outTradeNo),
            ui.label(what, color = R.color.text_secondary),
        )
        u.pendingReversals.forEach { items += card(it, R.string.unresolved_pending) }
        if (u.pendingReversals.isNotEmpty()) items += ui.button(R.string.action_reverse_now, Look.SECONDARY) { flushNow() }
        u.parkedReversals.forEach { items += card(it, R.string.unresolved_parked) }
        if (u.parkedReversals.isNotEmpty()) items += ui.button(R.string.action_supervisor_retry, Look.SECONDARY) {
            nav.push(SupervisorScreen(GuardedAction.REVERSAL_RETRY) { g ->
                desk.desk({ d -> d.retryParkedReversals(g.token) }) { r ->
                    nav.back()
                    message = (r as? PosResult.Failure)?.let { Results.errorText(it.code)?.let { id -> ui.str(id) } ?: it.message }
                    if (r is PosResult.Success) flushNow() else refresh()
                }
            })
        }
        u.openQr.forEach { items += qrCard(it, R.string.unresolved_qr_open) }
        if (u.openQr.isNotEmpty()) items += ui.button(R.string.action_query_now, Look.SECONDARY) { flushNow() }
        u.qrResults.forEach { o ->
            items += qrCard(o, if (o.status == QrStatus.LATE_SUCCESS) R.string.unresolved_qr_late else R.string.unresolved_qr_result)
            items += ui.button(R.string.action_acknowledge, Look.SECONDARY) {
                desk.desk({ d -> d.qrAcknowledge(o.requestId) }) { if (isCurrent) reload() }
            }
        }
        if (u.pendingReversals.isEmpty() && u.parkedReversals.isEmpty() && u.openQr.isEmpty() && u.qrResults.isEmpty()) {
            items += ui.label(R.string.unresolved_none, color = R.color.approved)
        }
        items += ui.button(R.string.action_done) { nav.resetTo(HomeScreen()) }
        return ui.scroll(ui.column(*items.toTypedArray()))
    }
}

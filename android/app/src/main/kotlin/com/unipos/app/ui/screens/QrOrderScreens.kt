package com.unipos.app.ui.screens

import android.text.InputType
import android.view.Gravity
import android.view.View
import com.unipos.app.R
import com.unipos.app.cashier.AmountEntry
import com.unipos.app.cashier.Money
import com.unipos.app.cashier.Txn
import com.unipos.app.ui.Flows
import com.unipos.app.ui.Look
import com.unipos.app.ui.Results
import com.unipos.app.ui.Screen
import com.unipos.app.ui.Ui
import com.unipos.core.PosResult
import com.unipos.core.ffi.QrOutcome
import com.unipos.core.ffi.QrStatus

fun qrStatusText(s: QrStatus): Int = when (s) {
    QrStatus.PAID -> R.string.qr_status_paid
    QrStatus.LATE_SUCCESS -> R.string.qr_status_late
    QrStatus.FAILED -> R.string.verdict_declined
    QrStatus.NOT_SENT -> R.string.status_not_sent
    QrStatus.IN_PROGRESS -> R.string.verdict_unknown
    QrStatus.REVERSE_PENDING -> R.string.verdict_unknown
    QrStatus.REVERSED -> R.string.status_reversed
    QrStatus.REVERSED_REFUNDED -> R.string.qr_status_reversed_refunded
    QrStatus.CLOSED -> R.string.qr_status_closed
}

/** One QR attempt as a tappable row. */
fun Ui.qrRow(o: QrOutcome, onClick: () -> Unit): View = card(
    row(
        text(str(o.channel?.let { Results.channelName(it) } ?: R.string.channel_other), bold = true),
        text(str(R.string.amount_yuan, Money.yuan(o.amount)), bold = true).apply { gravity = Gravity.END },
    ),
    row(
        text(o.outTradeNo, size = R.dimen.text_small, color = R.color.text_secondary),
        text(str(qrStatusText(o.status)), size = R.dimen.text_small, color = R.color.text_secondary).apply { gravity = Gravity.END },
    ),
).apply { minimumHeight = px(R.dimen.touch_min); setOnClickListener { onClick() } }

/**
 * 扫码订单查询 / 扫码退款: the QR orders, newest first, or one by the order number on its receipt;
 * tap for the detail (and, for a refund, the amount).
 */
class QrOrdersScreen(private val refund: Boolean, var orders: List<QrOutcome>? = null) : Screen() {
    override val title get() = if (refund) R.string.fn_qr_refund else R.string.fn_qr_query
    private var number = ""
    private var problem: String? = null

    override fun onShown() {
        if (orders != null) return
        desk.desk({ d -> d.qrOrders(50) }) { r ->
            if (!isCurrent) return@desk
            orders = (r as? PosResult.Success)?.value.orEmpty().filter { !refund || it.status == QrStatus.PAID || it.status == QrStatus.LATE_SUCCESS }
            refresh()
        }
    }

    private fun open(o: QrOutcome) = nav.push(if (refund) QrRefundScreen(o) else QrOrderScreen(o))

    override fun build(ui: Ui): View {
        val input = ui.input(R.string.qr_order_number, number, InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS)
        val find = ui.button(R.string.action_find, Look.SECONDARY) {
            number = input.text.toString()
            desk.desk({ d -> d.findQrOrder(number) }) { r ->
                if (!isCurrent) return@desk
                when (r) {
                    is PosResult.Success -> { problem = null; open(r.value) }
                    is PosResult.Failure -> { problem = Results.errorText(r.code)?.let { ui.str(it) } ?: r.message; refresh() }
                }
            }
        }
        val list = orders
        val rows: List<View> = when {
            list == null -> listOf(ui.label(R.string.loading, color = R.color.text_secondary))
            list.isEmpty() -> listOf(ui.label(R.string.qr_none, color = R.color.text_secondary))
            else -> list.map { o -> ui.qrRow(o) { open(o) } }
        }
        return ui.scroll(ui.column(
            input, find,
            problem?.let { ui.banner(it, R.color.declined, R.color.declined_bg) },
            ui.label(R.string.find_or_pick, bold = true),
            *rows.toTypedArray(),
        ))
    }
}

private fun Ui.qrDetails(o: QrOutcome): View = card(
    pair(R.string.detail_state, str(qrStatusText(o.status))),
    pair(R.string.detail_amount, str(R.string.amount_yuan, Money.yuan(o.amount))),
    pair(R.string.detail_paid, str(R.string.amount_yuan, Money.yuan(o.paidAmount))),
    pair(R.string.detail_refunded, str(R.string.amount_yuan, Money.yuan(o.refundedAmount))),
    pair(R.string.detail_channel, str(o.channel?.let { Results.channelName(it) } ?: R.string.channel_other)),
    pair(R.string.detail_order, o.outTradeNo),
    pair(R.string.detail_payment_code, o.maskedCode.orEmpty()),
    pair(R.string.detail_date, Results.dateTime(o.date, o.time)),
)

/** One QR order: its state as the engine knows it. */
class QrOrderScreen(private val order: QrOutcome) : Screen() {
    override val title = R.string.fn_qr_query

    override fun build(ui: Ui): View = ui.scroll(ui.column(
        ui.qrDetails(order),
        if (order.status == QrStatus.PAID || order.status == QrStatus.LATE_SUCCESS) {
            ui.button(R.string.fn_qr_refund, Look.SECONDARY) { nav.push(QrRefundScreen(order)) }
        } else null,
    ))
}

/** 扫码退款: the amount to refund of a paid QR order (the supervisor's password follows). */
class QrRefundScreen(private val order: QrOutcome) : Screen() {
    override val title = R.string.fn_qr_refund
    private val entry = AmountEntry()
    private var notice: Int? = null

    override fun build(ui: Ui): View = ui.scroll(ui.column(
        ui.qrDetails(order),
        AmountScreen.amountPanel(ui, entry, notice, R.string.action_confirm_refund, fixed = true) { k ->
            notice = null
            if (k == null) {
                if (entry.fen > 0) Flows.run(nav, Txn.QrRefund(order, entry.fen)) else notice = R.string.home_enter_amount
            }
            refresh()
        },
    ))
}

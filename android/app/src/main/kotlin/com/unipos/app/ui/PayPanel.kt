package com.unipos.app.ui

import android.app.Activity
import android.graphics.Bitmap
import android.view.Gravity
import android.view.View
import android.view.ViewGroup
import android.widget.ImageView
import android.widget.LinearLayout
import com.unipos.app.R
import com.unipos.app.cashier.Money
import com.unipos.app.txn.TransactionDispatcher
import com.unipos.sdk.PayMethod
import com.unipos.sdk.ProgressStage
import com.unipos.sdk.TransType

/**
 * The screen of the pay Intent ([com.unipos.app.PayActivity]) while a merchant app's request
 * runs: which app asked, for what and how much, the stage in the cashier's words, the dynamic code
 * when the customer is to scan one, and Cancel in exactly the stages where the dispatcher passes a
 * cancel on ([TransactionDispatcher.isCancellable]). A sale that leaves the pay method to the
 * terminal (PayMethod.CHOOSE) asks the cashier here first: card, scan the customer's code, or show
 * a code, the three ways of the cashier's home screen. The cashier screens' look, texts from
 * resources; the contract's English progress messages are for the calling app, not shown here.
 */
class PayPanel(
    private val activity: Activity,
    private val onCancel: () -> Unit,
    /** The cashier's answer to "how does the customer pay?" (stage [CHOOSING]): a [PayMethod]. */
    private val onChoose: (Int) -> Unit = {},
) {
    /** What the merchant app asked for, once the request is read. */
    data class Request(val caller: CharSequence, val transType: Int, val payMethod: Int, val amount: Long)

    private val ui = Ui(activity)
    var request: Request? = null
    /** A [ProgressStage]; [CHECKING] until the dispatcher has accepted the request, [CHOOSING] while the cashier picks the pay method. */
    var stage: Int = CHECKING
    /** The dynamic code to scan (stage SHOWING_QR_CODE). */
    var code: Bitmap? = null
    /** The stage in which Cancel was pressed and passed on (the engine is stopping the wait); null = not pressed. */
    var cancelledIn: Int? = null
    /** Cancel came too late: the transaction had moved on. */
    var refused = false

    fun render() = activity.setContentView(build())

    fun build(): View {
        val r = request
        val (prompt, hint) = promptOf(stage)
        // A shown code stays on screen while it is being closed.
        val showCode = code != null && ProgressStage.SHOWING_QR_CODE in listOf(stage, cancelledIn)
        val content = ui.column(
            r?.let { centered(ui.label(R.string.pay_requested_by, it.caller, color = R.color.text_secondary)) },
            r?.amount?.takeIf { it > 0 }?.let {
                centered(ui.text(ui.str(R.string.amount_yuan, Money.yuan(it)), size = R.dimen.text_result_amount, bold = true))
            },
            if (showCode) centered(ui.label(R.string.qr_show_scan)) else null,
            if (showCode) codeBox() else null,
            centered(ui.text(ui.str(prompt), size = if (showCode) R.dimen.text_title else R.dimen.text_result, color = R.color.brand, bold = true)),
            hint?.takeUnless { showCode }?.let { centered(ui.label(it, color = R.color.text_secondary)) },
            if (stage == CHOOSING) choices() else null,
            if (stage != CHECKING && stage != CHOOSING) centered(ui.label(R.string.stage_do_not_leave, size = R.dimen.text_small, color = R.color.text_secondary)) else null,
            cancelArea(),
        ).apply { gravity = Gravity.CENTER_VERTICAL }
        return LinearLayout(activity).apply {
            orientation = LinearLayout.VERTICAL
            setBackgroundColor(ui.color(R.color.background))
            addView(ui.bar(ui.str(titleOf(r))), LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, ui.px(R.dimen.bar_height)))
            addView(ui.scroll(content), LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, 0, 1f))
        }
    }

    private fun choices(): View = ui.column(
        ui.button(R.string.pay_card) { onChoose(PayMethod.CARD) },
        ui.button(R.string.pay_scan) { onChoose(PayMethod.QR_SCAN) },
        ui.button(R.string.pay_show_code) { onChoose(PayMethod.QR_SHOW) },
        gap = R.dimen.gap_small,
    )

    private fun cancelArea(): View? = when {
        refused -> ui.banner(ui.str(R.string.pay_cancel_refused), R.color.warning, R.color.warning_bg)
        cancelledIn != null -> centered(ui.label(when (cancelledIn) {
            ProgressStage.SHOWING_QR_CODE -> R.string.qr_show_closing
            ProgressStage.WAITING_FOR_CUSTOMER -> R.string.qr_cancelling
            else -> R.string.pay_cancelling
        }, color = R.color.warning, bold = true))
        stage == CHOOSING -> ui.button(R.string.action_cancel, Look.SECONDARY) { onCancel() }
        TransactionDispatcher.isCancellable(stage) -> ui.button(R.string.action_cancel, Look.DANGER) { onCancel() }
        else -> null
    }

    private fun codeBox(): View {
        val side = minOf(ui.res.displayMetrics.widthPixels - 4 * ui.px(R.dimen.gap), ui.dp(280))
        val image = ImageView(activity).apply {
            setImageBitmap(code)
            scaleType = ImageView.ScaleType.FIT_CENTER
            adjustViewBounds = true
            setBackgroundColor(ui.color(R.color.surface))
        }
        return LinearLayout(activity).apply {
            gravity = Gravity.CENTER
            addView(image, LinearLayout.LayoutParams(side, side))
        }
    }

    private fun <V : android.widget.TextView> centered(v: V): V = v.apply { gravity = Gravity.CENTER }

    companion object {
        /** Before the dispatcher accepted the request (the caller and the request are being checked). */
        const val CHECKING = 0
        /** A CHOOSE sale waits for the cashier to pick card, scan or show code. */
        const val CHOOSING = -1

        /** The prompt and its hint for a stage. */
        fun promptOf(stage: Int): Pair<Int, Int?> = when (stage) {
            CHECKING -> R.string.pay_checking to null
            CHOOSING -> R.string.pay_choose to R.string.pay_choose_hint
            ProgressStage.ACCEPTED -> R.string.stage_starting to null
            ProgressStage.WAITING_FOR_CARD -> R.string.stage_card to R.string.stage_card_hint
            ProgressStage.WAITING_FOR_PIN -> R.string.stage_pin to R.string.stage_pin_hint
            ProgressStage.WAITING_FOR_PAYMENT_CODE -> R.string.pay_stage_payment_code to R.string.pay_stage_payment_code_hint
            ProgressStage.SHOWING_QR_CODE -> R.string.stage_qr_shown to null
            ProgressStage.WAITING_FOR_CUSTOMER -> R.string.stage_customer_confirming to R.string.stage_customer_confirming_hint
            ProgressStage.RESOLVING -> R.string.pay_stage_resolving to null
            ProgressStage.PRINTING -> R.string.stage_printing to null
            else -> R.string.stage_online to null
        }

        /** The bar's title: the function the merchant app asked for. */
        fun titleOf(r: Request?): Int = when (r?.transType) {
            null -> R.string.pay_title
            // The names of the cashier's own three ways to take a payment.
            TransType.SALE -> when (r.payMethod) {
                PayMethod.QR_SCAN -> R.string.pay_scan
                PayMethod.QR_SHOW -> R.string.pay_show_code
                else -> R.string.fn_sale
            }
            TransType.VOID -> R.string.fn_void
            TransType.REFUND -> R.string.fn_refund
            TransType.PREAUTH -> R.string.fn_preauth
            TransType.PREAUTH_VOID -> R.string.fn_preauth_void
            TransType.PREAUTH_COMPLETION -> R.string.fn_completion
            TransType.PREAUTH_COMPLETION_VOID -> R.string.fn_completion_void
            TransType.BALANCE_INQUIRY -> R.string.fn_balance
            TransType.SETTLEMENT -> R.string.fn_settle
            TransType.SIGN_IN -> R.string.fn_sign_in
            TransType.REPRINT -> R.string.fn_reprint
            else -> R.string.pay_title
        }
    }
}

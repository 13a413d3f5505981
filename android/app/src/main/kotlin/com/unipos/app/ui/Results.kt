package com.unipos.app.ui

import com.unipos.app.R
import com.unipos.app.cashier.Money
import com.unipos.app.cashier.TxnDone
import com.unipos.core.PosResult
import com.unipos.core.ffi.Outcome
import com.unipos.core.ffi.OutcomeStatus
import com.unipos.core.ffi.QrOutcome
import com.unipos.core.ffi.QrRefundOutcome
import com.unipos.core.ffi.QrRefundStatus
import com.unipos.core.ffi.QrStatus
import com.unipos.core.ffi.TxnKind
import com.unipos.sdk.ErrorCodes
import java.util.Locale

/** How a result reads at a glance: colour, shape and word differ for each. */
enum class Verdict(val word: Int, val mark: Mark, val color: Int, val bg: Int) {
    APPROVED(R.string.verdict_approved, Mark.TICK, R.color.approved, R.color.approved_bg),
    PARTIAL(R.string.verdict_partial, Mark.EXCLAMATION, R.color.partial, R.color.partial_bg),
    DECLINED(R.string.verdict_declined, Mark.CROSS, R.color.declined, R.color.declined_bg),
    NOT_DONE(R.string.verdict_not_done, Mark.CROSS, R.color.declined, R.color.declined_bg),
    UNKNOWN(R.string.verdict_unknown, Mark.QUESTION, R.color.unknown, R.color.unknown_bg),
}

/** Everything the result screen shows, from the engine's outcome. */
data class ResultModel(
    val title: Int,
    val verdict: Verdict,
    /** The amount that counts (approved, or asked for when nothing was approved). */
    val amount: Long?,
    /** A partial approval: still to collect. */
    val remaining: Long = 0,
    /** Why (declines, failures), or what happens next (unknown). */
    val reason: String? = null,
    /** Label resource -> value. */
    val details: List<Pair<Int, String>> = emptyList(),
    /** An approved card slip carries the cardholder's signature line. */
    val signature: Int? = null,
    /** Something to know besides the result (receipt not printed, a reversal parked). */
    val notice: String? = null,
    /** The slips the printer produced (the engine's rendering). */
    val slips: List<List<String>> = emptyList(),
    /** Trace of a card transaction (reprint). */
    val trace: Int? = null,
    /** The contract code, for the cashier's "what to do". */
    val code: Int = 0,
)

/** Engine outcomes -> [ResultModel]: presentation only; the engine's status decides the verdict. */
object Results {
    /** The half of an engine text "中文 / English" that matches the screen's language. */
    fun pick(text: String, ui: Ui): String {
        val parts = text.split(" / ", limit = 2)
        if (parts.size < 2) return text
        val chinese = ui.res.configuration.locales[0].language == Locale.CHINESE.language
        return if (chinese) parts[0] else parts[1]
    }

    fun of(title: Int, amount: Long?, r: PosResult<TxnDone>, slips: List<List<String>>, ui: Ui): ResultModel = when (r) {
        is PosResult.Failure -> failure(title, amount, r, ui)
        is PosResult.Success -> when (val d = r.value) {
            is TxnDone.Card -> card(title, d.outcome, slips, ui)
            is TxnDone.Qr -> qr(title, d.outcome, slips, ui)
            is TxnDone.QrReturn -> qrReturn(title, d.outcome, ui)
            is TxnDone.SignedIn -> ResultModel(title, Verdict.APPROVED, null,
                details = listOf(R.string.detail_batch to "%06d".format(d.report.batch)))
            is TxnDone.Settled -> ResultModel(title, Verdict.APPROVED, null)
            TxnDone.Done -> ResultModel(title, Verdict.APPROVED, null)
        }
    }

    fun card(title: Int, o: Outcome, slips: List<List<String>>, ui: Ui): ResultModel {
        val verdict = when (o.status) {
            OutcomeStatus.APPROVED, OutcomeStatus.ADVICE_PENDING -> Verdict.APPROVED
            OutcomeStatus.PARTIALLY_APPROVED -> Verdict.PARTIAL
            OutcomeStatus.DECLINED -> Verdict.DECLINED
            OutcomeStatus.NOT_SENT, OutcomeStatus.REVERSED -> Verdict.NOT_DONE
            OutcomeStatus.IN_PROGRESS, OutcomeStatus.REVERSAL_PENDING, OutcomeStatus.REVERSAL_PARKED -> Verdict.UNKNOWN
        }
        val details = ArrayList<Pair<Int, String>>()
        o.maskedPan?.let { details += R.string.detail_card to it }
        if (o.trace > 0) details += R.string.detail_trace to "%06d".format(o.trace)
        o.rrn?.let { details += R.string.detail_rrn to it }
        o.authCode?.let { details += R.string.detail_auth to it }
        details += R.string.detail_batch to "%06d".format(o.batch)
        details += R.string.detail_date to dateTime(o.date, o.time)
        o.balance?.let { details += R.string.detail_balance to ui.str(R.string.amount_yuan, Money.yuan(it)) }
        o.responseCode?.takeIf { verdict == Verdict.DECLINED }?.let { details += R.string.detail_response_code to it }
        val approved = verdict == Verdict.APPROVED || verdict == Verdict.PARTIAL
        val notice = listOfNotNull(
            o.notice?.let { pick(it, ui) },
            if (o.printErrorCode != 0) ui.str(R.string.result_not_printed) else null,
        ).joinToString("\n").ifEmpty { null }
        return ResultModel(
            title = title,
            verdict = verdict,
            amount = if (approved && o.kind != TxnKind.BALANCE_INQUIRY) o.approvedAmount else o.amount.takeIf { it > 0 },
            remaining = o.remainingAmount,
            reason = when (verdict) {
                Verdict.UNKNOWN -> ui.str(R.string.result_unknown_reason)
                Verdict.APPROVED -> null
                else -> pick(o.message, ui)
            },
            details = details,
            signature = when {
                !approved || o.kind == TxnKind.BALANCE_INQUIRY -> null
                o.kind == TxnKind.PRE_AUTH -> R.string.result_signature_preauth
                else -> R.string.result_signature
            },
            notice = notice,
            slips = slips,
            trace = o.trace.takeIf { it > 0 },
            code = o.errorCode,
        )
    }

    fun qr(title: Int, o: QrOutcome, slips: List<List<String>>, ui: Ui): ResultModel {
        val verdict = when (o.status) {
            QrStatus.PAID, QrStatus.LATE_SUCCESS -> Verdict.APPROVED
            QrStatus.FAILED -> Verdict.DECLINED
            QrStatus.NOT_SENT, QrStatus.REVERSED, QrStatus.REVERSED_REFUNDED, QrStatus.CLOSED -> Verdict.NOT_DONE
            QrStatus.IN_PROGRESS, QrStatus.REVERSE_PENDING -> Verdict.UNKNOWN
        }
        val details = ArrayList<Pair<Int, String>>()
        o.channel?.let { details += R.string.detail_channel to ui.str(channelName(it)) }
        details += R.string.detail_order to o.outTradeNo
        o.maskedCode?.let { details += R.string.detail_payment_code to it }
        if (o.refundedAmount > 0) details += R.string.detail_refunded to ui.str(R.string.amount_yuan, Money.yuan(o.refundedAmount))
        details += R.string.detail_date to dateTime(o.date, o.time)
        return ResultModel(
            title = title,
            verdict = verdict,
            amount = if (verdict == Verdict.APPROVED) o.paidAmount else o.amount,
            reason = if (verdict == Verdict.UNKNOWN) ui.str(R.string.result_unknown_reason) else if (verdict == Verdict.APPROVED) null else pick(o.message, ui),
            details = details,
            slips = slips,
            code = o.errorCode,
        )
    }

    fun qrReturn(title: Int, o: QrRefundOutcome, ui: Ui): ResultModel = ResultModel(
        title = title,
        verdict = when (o.status) {
            QrRefundStatus.REFUNDED -> Verdict.APPROVED
            QrRefundStatus.PENDING -> Verdict.UNKNOWN
            QrRefundStatus.REJECTED -> Verdict.DECLINED
        },
        amount = o.amount,
        reason = if (o.status == QrRefundStatus.REFUNDED) null else pick(o.message, ui),
        details = listOfNotNull(
            o.channel?.let { R.string.detail_channel to ui.str(channelName(it)) },
            R.string.detail_refund_no to o.outRefundNo,
            R.string.detail_refunded to ui.str(R.string.amount_yuan, Money.yuan(o.refundedTotal)),
            R.string.detail_date to dateTime(o.date, o.time),
        ),
        code = o.errorCode,
    )

    fun failure(title: Int, amount: Long?, f: PosResult.Failure, ui: Ui): ResultModel {
        val verdict = when {
            f.outcomeUnknown -> Verdict.UNKNOWN
            f.code in 2000..2999 -> Verdict.DECLINED
            else -> Verdict.NOT_DONE
        }
        val known = errorText(f.code)
        val reason = when {
            verdict == Verdict.UNKNOWN -> ui.str(R.string.result_unknown_reason)
            known != null -> ui.str(known)
            else -> f.message
        }
        return ResultModel(title, verdict, amount, reason = reason, code = f.code)
    }

    /** What the cashier reads for the codes a cashier meets. */
    fun errorText(code: Int): Int? = when (code) {
        ErrorCodes.NOT_SIGNED_IN -> R.string.err_not_signed_in
        ErrorCodes.TERMINAL_BUSY -> R.string.err_busy
        ErrorCodes.UNSUPPORTED_TRANSACTION -> R.string.err_unsupported
        ErrorCodes.INVALID_AMOUNT -> R.string.err_amount
        ErrorCodes.ORIGINAL_NOT_FOUND -> R.string.err_original_not_found
        ErrorCodes.ORIGINAL_INVALID_STATE -> R.string.err_original_state
        ErrorCodes.AMOUNT_EXCEEDS_ORIGINAL -> R.string.err_amount_exceeds
        ErrorCodes.CANCELLED -> R.string.err_cancelled
        ErrorCodes.SETTLEMENT_PENDING -> R.string.err_settlement_pending
        ErrorCodes.OPERATOR_NOT_SIGNED_IN -> R.string.err_operator
        ErrorCodes.SUPERVISOR_REQUIRED -> R.string.err_supervisor
        ErrorCodes.NO_CONNECTION -> R.string.err_no_connection
        ErrorCodes.CARD_WAIT_TIMEOUT -> R.string.err_card_timeout
        ErrorCodes.CARD_READER_ERROR -> R.string.err_card_reader
        ErrorCodes.PIN_PAD_ERROR -> R.string.err_pin_pad
        ErrorCodes.PRINTER_OUT_OF_PAPER -> R.string.err_paper
        ErrorCodes.PRINTER_ERROR -> R.string.err_printer
        ErrorCodes.CONFIGURATION_ERROR -> R.string.err_configuration
        ErrorCodes.QR_CODE_INVALID -> R.string.err_qr_code
        ErrorCodes.QR_PAYMENT_CLOSED -> R.string.err_qr_closed
        else -> null
    }

    fun channelName(code: String): Int = when (code) {
        "WECHAT" -> R.string.channel_wechat
        "ALIPAY" -> R.string.channel_alipay
        "UNIONPAY" -> R.string.channel_unionpay
        else -> R.string.channel_other
    }

    /** MMDD + hhmmss -> "MM-DD hh:mm:ss". */
    fun dateTime(mmdd: String, hhmmss: String): String =
        if (mmdd.length == 4 && hhmmss.length == 6) "${mmdd.take(2)}-${mmdd.drop(2)} ${hhmmss.take(2)}:${hhmmss.substring(2, 4)}:${hhmmss.drop(4)}"
        else "$mmdd $hhmmss"
}

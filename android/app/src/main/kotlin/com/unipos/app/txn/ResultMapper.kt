package com.unipos.app.txn

import com.unipos.core.PosResult
import com.unipos.core.ffi.Outcome
import com.unipos.core.ffi.OutcomeStatus
import com.unipos.core.ffi.ProgressEvent
import com.unipos.core.ffi.QrOutcome
import com.unipos.core.ffi.QrStatus
import com.unipos.core.ffi.TxnKind
import com.unipos.sdk.Channel
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.PanMask
import com.unipos.sdk.ProgressStage
import com.unipos.sdk.TransResult
import com.unipos.sdk.TransState
import com.unipos.sdk.TransType
import com.unipos.sdk.UniPos
import java.util.Calendar

/** What the caller asked, kept with every result (the engine's outcome does not know it). */
data class RequestInfo(val requestId: String, val transType: Int, val amount: Long, val orderNo: String?)

/**
 * Engine outcomes and failures -> the contract's [TransResult]. The only place that decides the
 * caller-visible state, so the money question has one answer: APPROVED only when money moved.
 * Card data: only the masked PAN, re-masked here whatever the engine gave.
 */
class ResultMapper(
    private val now: () -> Calendar = { Calendar.getInstance() },
    /** The merchant and terminal numbers every result carries (null: not configured). */
    private val identity: () -> TerminalIdentity? = { null },
) {

    fun map(info: RequestInfo, result: EngineResult): TransResult = when (result) {
        is EngineResult.Txn -> fromOutcome(info, result.outcome)
        is EngineResult.Qr -> fromQr(info, result.outcome)
        is EngineResult.QrRefund -> fromQrRefund(info, result.outcome)
        is EngineResult.Failed -> failed(info, result.failure.code, result.failure.message)
        is EngineResult.SignedIn -> base(info, TransState.APPROVED, ErrorCodes.OK, "signed in").apply {
            batchNo = batch(result.report.batch)
        }
        is EngineResult.Reprinted -> base(info, TransState.APPROVED, ErrorCodes.OK, "reprinted (${result.lines.size} lines)")
        is EngineResult.Settled -> {
            val r = result.report
            val totals = r.cardTotals + r.qrByChannel
            base(info, TransState.APPROVED, ErrorCodes.OK, if (r.balanced) "settled, totals match" else "settled after batch upload").apply {
                batchNo = batch(r.batch)
                settleCount = totals.sumOf { it.count }
                settleAmount = totals.sumOf { it.amount }
                settleBalanced = r.balanced
            }
        }
    }

    /** A stored outcome as a query answers it: the request's type and amount from the journal. */
    fun fromOutcome(o: Outcome): TransResult =
        fromOutcome(RequestInfo(o.requestId, transTypeOf(o), o.amount, o.orderNo), o)

    fun fromOutcome(info: RequestInfo, o: Outcome): TransResult {
        val state = when (o.status) {
            // approved, then an approved void cancelled it: the money moved back
            OutcomeStatus.APPROVED, OutcomeStatus.PARTIALLY_APPROVED, OutcomeStatus.ADVICE_PENDING ->
                if (o.voided) TransState.VOIDED else TransState.APPROVED
            OutcomeStatus.DECLINED -> TransState.DECLINED
            OutcomeStatus.IN_PROGRESS -> TransState.PENDING
            // a QR payment not completed (2010) is DECLINED, as its own result said; a card sale
            // reversed after a lost answer (3002) or never sent (3001) is FAILED
            OutcomeStatus.NOT_SENT, OutcomeStatus.REVERSED -> noMoneyMoved(o.errorCode)
            // a lost answer not yet reversed (or a reversal given up on): nobody knows yet
            OutcomeStatus.REVERSAL_PENDING, OutcomeStatus.REVERSAL_PARKED -> TransState.UNKNOWN
        }
        val ok = state == TransState.APPROVED || state == TransState.VOIDED
        return base(info, state, if (ok) ErrorCodes.OK else o.errorCode, o.message).apply {
            responseCode = o.responseCode
            amount = o.amount
            approvedAmount = if (ok) o.approvedAmount else 0
            channel = channelOf(o)
            traceNo = o.trace.takeIf { it > 0 }?.let { "%06d".format(it) }
            qrOrderNo = o.qrOrderNo
            if (o.orderNo != null) orderNo = o.orderNo
            origRequestId = o.originalRequestId
            origTraceNo = o.originalTrace?.takeIf { it > 0 }?.let { "%06d".format(it) }
            referenceNo = o.rrn
            authCode = o.authCode
            batchNo = batch(o.batch)
            maskedPan = PanMask.mask(o.maskedPan)
            transTime = transTime(o.date, o.time)
            balance = o.balance ?: -1
            printErrorCode = o.printErrorCode
        }
    }

    fun fromQr(info: RequestInfo, o: QrOutcome): TransResult {
        val state = when (o.status) {
            QrStatus.PAID, QrStatus.LATE_SUCCESS -> TransState.APPROVED
            QrStatus.IN_PROGRESS -> TransState.PENDING
            QrStatus.REVERSE_PENDING -> TransState.UNKNOWN
            QrStatus.FAILED, QrStatus.NOT_SENT, QrStatus.REVERSED, QrStatus.REVERSED_REFUNDED, QrStatus.CLOSED ->
                noMoneyMoved(o.errorCode)
        }
        return base(info, state, if (state == TransState.APPROVED) ErrorCodes.OK else o.errorCode, o.message).apply {
            amount = o.amount
            approvedAmount = if (state == TransState.APPROVED) o.paidAmount else 0
            channel = qrChannel(o.channel)
            qrOrderNo = o.outTradeNo
            channelTradeNo = o.channelTradeNo
            batchNo = batch(o.batch)
            transTime = o.paidTime ?: transTime(o.date, o.time)
        }
    }

    fun fromQrRefund(info: RequestInfo, o: com.unipos.core.ffi.QrRefundOutcome): TransResult {
        val state = when (o.status) {
            com.unipos.core.ffi.QrRefundStatus.REFUNDED -> TransState.APPROVED
            com.unipos.core.ffi.QrRefundStatus.PENDING -> TransState.UNKNOWN
            com.unipos.core.ffi.QrRefundStatus.REJECTED -> TransState.DECLINED
        }
        return base(info, state, if (state == TransState.APPROVED) ErrorCodes.OK else o.errorCode, o.message).apply {
            amount = o.amount
            approvedAmount = if (state == TransState.APPROVED) o.amount else 0
            channel = qrChannel(o.channel)
            qrOrderNo = o.outRefundNo
            channelTradeNo = o.channelRefundNo
            origRequestId = o.originalRequestId.takeIf { it.isNotEmpty() }
            batchNo = batch(o.batch)
            transTime = transTime(o.date, o.time)
        }
    }

    fun failed(info: RequestInfo, code: Int, message: String): TransResult {
        val state = when (code) {
            PosResult.RESULT_UNKNOWN, PosResult.REQUEST_IN_PROGRESS -> TransState.UNKNOWN
            else -> noMoneyMoved(code)
        }
        return base(info, state, code, message)
    }

    /** No money moved: DECLINED when the host, card or wallet said no (2xxx), else FAILED. */
    private fun noMoneyMoved(code: Int): Int = if (code in 2000..2999) TransState.DECLINED else TransState.FAILED

    /** The state of an accepted request whose outcome is not there yet. */
    fun pending(info: RequestInfo): TransResult =
        base(info, TransState.PENDING, ErrorCodes.REQUEST_IN_PROGRESS, "in progress")

    fun notFound(requestId: String?): TransResult = TransResult().apply {
        version = UniPos.CONTRACT_VERSION
        this.requestId = requestId
        state = TransState.NOT_FOUND
        errorCode = ErrorCodes.NOT_FOUND
        message = ErrorCodes.describe(ErrorCodes.NOT_FOUND)
    }

    private fun base(info: RequestInfo, state: Int, code: Int, text: String) = TransResult().apply {
        version = UniPos.CONTRACT_VERSION
        requestId = info.requestId
        transType = info.transType
        amount = info.amount
        orderNo = info.orderNo
        this.state = state
        errorCode = code
        message = text
        identity()?.let { merchantId = it.merchantId; terminalId = it.terminalId }
    }

    private fun batch(b: Int) = if (b > 0) "%06d".format(b) else null

    /** The contract's type of a journal row (a QR payment is a SALE, a QR void a VOID). */
    private fun transTypeOf(o: Outcome): Int = when (o.kind) {
        TxnKind.SALE, TxnKind.QR_PAY -> TransType.SALE
        TxnKind.SALE_VOID -> TransType.VOID
        TxnKind.REFUND, TxnKind.QR_REFUND -> TransType.REFUND
        TxnKind.PRE_AUTH -> TransType.PREAUTH
        TxnKind.PRE_AUTH_VOID -> TransType.PREAUTH_VOID
        TxnKind.COMPLETION, TxnKind.COMPLETION_ADVICE -> TransType.PREAUTH_COMPLETION
        TxnKind.COMPLETION_VOID -> TransType.PREAUTH_COMPLETION_VOID
        TxnKind.BALANCE_INQUIRY -> TransType.BALANCE_INQUIRY
        TxnKind.OTHER -> 0
    }

    private fun channelOf(o: Outcome): Int = when {
        o.qrOrderNo != null -> qrChannel(o.cardOrg)
        o.kind == TxnKind.OTHER -> Channel.NONE
        else -> Channel.CARD
    }

    private fun qrChannel(name: String?): Int = when (name?.uppercase()) {
        "WECHAT" -> Channel.WECHAT
        "ALIPAY" -> Channel.ALIPAY
        "UNIONPAY" -> Channel.UNIONPAY_QR
        else -> Channel.NONE
    }

    /** yyyyMMddHHmmss from the engine's MMDD + hhmmss; the year is the latest one not in the future. */
    fun transTime(mmdd: String, hhmmss: String): String? {
        if (mmdd.length != 4 || hhmmss.length != 6) return null
        val today = now()
        var year = today.get(Calendar.YEAR)
        val todayMmdd = "%02d%02d".format(today.get(Calendar.MONTH) + 1, today.get(Calendar.DAY_OF_MONTH))
        if (mmdd > todayMmdd) year -= 1   // a December transaction queried in January
        return "$year$mmdd$hhmmss"
    }

    companion object {
        /** The stages in which the customer is still deciding: the engine's queries there are the wait itself. */
        private val WAITING_ON_CUSTOMER = setOf(ProgressStage.SHOWING_QR_CODE, ProgressStage.WAITING_FOR_CUSTOMER)

        /**
         * The contract's progress stage of an engine event, given the job's [current] stage; null =
         * not worth telling the caller. A query while a shown code waits or the customer confirms
         * keeps that stage: the wait goes on (and so does the caller's right to cancel it).
         */
        fun stageOf(e: ProgressEvent, current: Int = ProgressStage.ACCEPTED): Int? = when (e) {
            is ProgressEvent.WaitingForCard -> ProgressStage.WAITING_FOR_CARD
            is ProgressEvent.WaitingForPin -> ProgressStage.WAITING_FOR_PIN
            is ProgressEvent.Sending, is ProgressEvent.SendingAdvices, is ProgressEvent.Settlement,
            is ProgressEvent.BatchUpload -> ProgressStage.ONLINE
            is ProgressEvent.QrWaitingForCustomer -> ProgressStage.WAITING_FOR_CUSTOMER
            is ProgressEvent.Reversing -> ProgressStage.RESOLVING
            is ProgressEvent.Printing -> ProgressStage.PRINTING
            is ProgressEvent.Qr -> when {
                e.step.contains("password") -> ProgressStage.WAITING_FOR_CUSTOMER
                e.step.contains("querying") && current in WAITING_ON_CUSTOMER -> current
                e.step.contains("querying") || e.step.contains("revers") || e.step.contains("closing") -> ProgressStage.RESOLVING
                else -> ProgressStage.ONLINE
            }
            is ProgressEvent.Startup -> null
        }
    }
}

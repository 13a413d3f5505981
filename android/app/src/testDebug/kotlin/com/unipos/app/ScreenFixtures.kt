package com.unipos.app

import com.unipos.core.ffi.OperatorInfo
import com.unipos.core.ffi.QrDynamicCode
import com.unipos.core.ffi.OriginalView
import com.unipos.core.ffi.Outcome
import com.unipos.core.ffi.OutcomeStatus
import com.unipos.core.ffi.QrOutcome
import com.unipos.core.ffi.QrStatus
import com.unipos.core.ffi.SettlementReport
import com.unipos.core.ffi.Total
import com.unipos.core.ffi.TxnKind
import com.unipos.core.ffi.Unresolved

/**
 * Fixed data for the static pictures: engine outcomes as the FFI hands them over, with fixed
 * reference numbers, dates and times, so that a picture only changes when a screen does.
 * (The pictures of live flows, with the engine's own changing data, are taken by the behaviour
 * tests.)
 */
object ScreenFixtures {
    fun outcome(
        kind: TxnKind = TxnKind.SALE,
        status: OutcomeStatus = OutcomeStatus.APPROVED,
        amount: Long = 12_880,
        approved: Long = amount,
        trace: Int = 12,
        responseCode: String? = "00",
        message: String = "交易成功 / Approved",
        authCode: String? = "A1B2C3",
        rrn: String? = "120110301512",
        balance: Long? = null,
        errorCode: Int = 0,
    ) = Outcome(
        requestId = "fixture-$trace", kind = kind, kindName = kind.name.lowercase(), status = status,
        errorCode = errorCode, responseCode = responseCode, message = message, amount = amount,
        approvedAmount = approved, remainingAmount = amount - approved, trace = trace, batch = 1,
        rrn = rrn, authCode = authCode, maskedPan = "622202******3456", cardOrg = "CUP",
        balance = balance, date = "1201", time = "103015", notice = null, printErrorCode = 0,
        orderNo = null, voided = false, originalTrace = null, originalRequestId = null, qrOrderNo = null,
    )

    fun original(o: Outcome, voided: Boolean = false, refunded: Long = 0, completed: Boolean = false) =
        OriginalView(outcome = o, voided = voided, refundedAmount = refunded, completed = completed, operator = "001")

    fun qr(
        status: QrStatus = QrStatus.PAID,
        amount: Long = 3_650,
        dynamic: Boolean = false,
        channel: String? = "WECHAT",
        refunded: Long = 0,
        n: Int = 1,
    ) = QrOutcome(
        requestId = "qr-fixture-$n", orderId = "ORD2026120100$n", dynamic = dynamic, status = status, errorCode = 0,
        gatewayError = null, channel = channel, outTradeNo = "6296901612010000$n", amount = amount,
        paidAmount = if (status == QrStatus.PAID || status == QrStatus.LATE_SUCCESS) amount else 0,
        refundedAmount = refunded, voided = false, maskedCode = if (dynamic) null else "1350****5678",
        channelTradeNo = "4200001201$n", paidTime = "20261201103512", message = "支付成功 / Paid",
        codeUrl = null, date = "1201", time = "103512", batch = 1,
    )

    /**
     * A shown dynamic code. The picture's modules are a fixed pattern with the three finder
     * squares (a layout picture, not a scannable code: the behaviour tests show real ones).
     */
    fun dynamicCode(amount: Long = 3_650): QrDynamicCode {
        val modules = 25
        val scale = 8
        fun finder(x: Int, y: Int): Boolean? {
            for ((ox, oy) in listOf(0 to 0, modules - 7 to 0, 0 to modules - 7)) {
                val dx = x - ox
                val dy = y - oy
                if (dx in -1..7 && dy in -1..7) {
                    if (dx !in 0..6 || dy !in 0..6) return false
                    val ring = minOf(dx, dy, 6 - dx, 6 - dy)
                    return ring != 1
                }
            }
            return null
        }
        val quiet = 4
        val side = (modules + 2 * quiet) * scale
        val bitmap = android.graphics.Bitmap.createBitmap(side, side, android.graphics.Bitmap.Config.ARGB_8888)
        bitmap.eraseColor(android.graphics.Color.WHITE)
        for (y in 0 until modules) for (x in 0 until modules) {
            val dark = finder(x, y) ?: run {
                var h = x * 0x45d9f3b + y * 0x119de1f3
                h = (h xor (h ushr 16)) * 0x45d9f3b
                (h xor (h ushr 16)) and 1 == 1
            }
            if (!dark) continue
            for (py in 0 until scale) for (px in 0 until scale) {
                bitmap.setPixel((x + quiet) * scale + px, (y + quiet) * scale + py, android.graphics.Color.BLACK)
            }
        }
        val png = java.io.ByteArrayOutputStream().also { bitmap.compress(android.graphics.Bitmap.CompressFormat.PNG, 100, it) }.toByteArray()
        return QrDynamicCode(
            outcome = qr(status = QrStatus.IN_PROGRESS, amount = amount, dynamic = true, channel = null).copy(message = "等待付款 / Waiting for payment"),
            codeUrl = "https://qr.acquirer.example/c/6296901612010000",
            width = modules,
            png = png,
        )
    }

    val journal: List<OriginalView> = listOf(
        original(outcome(trace = 15, amount = 5_000)),
        original(outcome(kind = TxnKind.SALE_VOID, trace = 14, amount = 2_000)),
        original(outcome(trace = 13, amount = 2_000), voided = true),
        original(outcome(kind = TxnKind.PRE_AUTH, trace = 12, amount = 100_000)),
        original(outcome(kind = TxnKind.REFUND, trace = 11, amount = 1_500)),
    )

    val sales: List<OriginalView> = listOf(
        original(outcome(trace = 15, amount = 5_000)),
        original(outcome(trace = 12, amount = 12_880)),
        original(outcome(trace = 9, amount = 880), refunded = 300),
    )

    val preAuths: List<OriginalView> = listOf(
        original(outcome(kind = TxnKind.PRE_AUTH, trace = 21, amount = 100_000)),
        original(outcome(kind = TxnKind.PRE_AUTH, trace = 18, amount = 30_000)),
    )

    val settlement = SettlementReport(
        batch = 1, balanced = false, batchUploaded = true, recordsUploaded = 6,
        cardTotals = listOf(Total("domestic debit", 4, 68_800), Total("domestic credit", 2, 41_500)),
        byKind = listOf(Total("sale", 5, 98_300), Total("sale_void", 1, 2_000), Total("refund", 1, 1_500), Total("completion", 1, 115_000)),
        qrByChannel = listOf(Total("WECHAT", 2, 7_300), Total("ALIPAY", 1, 1_990)),
        settledAt = "2026-12-01 18:30:00",
    )

    val unresolved = Unresolved(
        pendingReversals = listOf(outcome(status = OutcomeStatus.REVERSAL_PENDING, trace = 31, amount = 7_770, responseCode = null, authCode = null)),
        parkedReversals = listOf(outcome(status = OutcomeStatus.REVERSAL_PARKED, trace = 27, amount = 4_200, responseCode = null, authCode = null)),
        openQr = listOf(qr(status = QrStatus.IN_PROGRESS, amount = 2_500, n = 3)),
        qrResults = listOf(qr(status = QrStatus.LATE_SUCCESS, amount = 1_800, n = 4)),
    )

    val qrOrders: List<QrOutcome> = listOf(
        qr(n = 1),
        qr(status = QrStatus.PAID, amount = 1_990, channel = "ALIPAY", dynamic = true, n = 2),
        qr(status = QrStatus.CLOSED, amount = 990, channel = null, dynamic = true, n = 5),
        qr(status = QrStatus.PAID, amount = 5_000, refunded = 1_000, channel = "UNIONPAY", n = 6),
    )

    val operators = listOf(
        OperatorInfo(number = "00", isSupervisor = true, mustChangePassword = false, lockedUntil = null, signedIn = false),
        OperatorInfo(number = "01", isSupervisor = false, mustChangePassword = false, lockedUntil = null, signedIn = true),
        OperatorInfo(number = "02", isSupervisor = false, mustChangePassword = true, lockedUntil = null, signedIn = false),
    )
}

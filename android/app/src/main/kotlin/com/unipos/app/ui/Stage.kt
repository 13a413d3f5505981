package com.unipos.app.ui

import android.content.res.Resources
import com.unipos.app.R
import com.unipos.app.txn.ProgressTexts
import com.unipos.core.ffi.ProgressEvent
import com.unipos.sdk.ProgressStage

/** The stage of a running job as the cashier reads it, from the engine's progress events. */
enum class Stage(val text: Int, val hint: Int? = null) {
    STARTING(R.string.stage_starting),
    SIGNING_IN(R.string.stage_signing_in),
    CARD(R.string.stage_card, R.string.stage_card_hint),
    PIN(R.string.stage_pin, R.string.stage_pin_hint),
    ONLINE(R.string.stage_online),
    REVERSING(R.string.stage_reversing, R.string.stage_reversing_hint),
    ADVICES(R.string.stage_advices),
    PRINTING(R.string.stage_printing),
    SETTLING(R.string.stage_settling),
    UPLOADING(R.string.stage_uploading, R.string.stage_uploading_hint),
    QR_SHOWN(R.string.stage_qr_shown),
    QR_ONLINE(R.string.stage_qr_online),
    CUSTOMER_CONFIRMING(R.string.stage_customer_confirming, R.string.stage_customer_confirming_hint);

    companion object {
        fun of(e: ProgressEvent, current: Stage): Stage = when (e) {
            is ProgressEvent.Startup -> SIGNING_IN
            is ProgressEvent.WaitingForCard -> CARD
            is ProgressEvent.WaitingForPin -> PIN
            is ProgressEvent.Sending -> ONLINE
            is ProgressEvent.Reversing -> REVERSING
            is ProgressEvent.SendingAdvices -> ADVICES
            is ProgressEvent.Printing -> PRINTING
            is ProgressEvent.Settlement -> SETTLING
            is ProgressEvent.BatchUpload -> UPLOADING
            is ProgressEvent.QrWaitingForCustomer -> CUSTOMER_CONFIRMING
            is ProgressEvent.Qr -> if (current == CUSTOMER_CONFIRMING) current else QR_ONLINE
        }
    }
}

/**
 * What a merchant app is told with each stage: the words the cashier's screens use for the same
 * moment, in the terminal's language (values/ Chinese, values-en/ English).
 */
class StageTexts(private val resources: Resources) : ProgressTexts {
    override fun text(stage: Int, event: ProgressEvent?): String = when {
        stage == ProgressStage.SHOWING_QR_CODE -> resources.getString(Stage.QR_SHOWN.text)
        stage == ProgressStage.WAITING_FOR_PAYMENT_CODE -> resources.getString(R.string.pay_stage_payment_code)
        event is ProgressEvent.BatchUpload -> resources.getString(R.string.stage_uploading, event.record, event.total)
        // A QR query after a lost answer: the outcome is being confirmed.
        event is ProgressEvent.Qr && stage == ProgressStage.RESOLVING -> resources.getString(R.string.pay_stage_resolving)
        event != null -> {
            val current = if (stage == ProgressStage.WAITING_FOR_CUSTOMER) Stage.CUSTOMER_CONFIRMING else Stage.STARTING
            resources.getString(Stage.of(event, current).text)
        }
        else -> resources.getString(Stage.STARTING.text)
    }
}

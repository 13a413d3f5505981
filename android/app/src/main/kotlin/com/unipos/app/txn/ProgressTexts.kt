package com.unipos.app.txn

import com.unipos.core.ffi.ProgressEvent

/**
 * The text a merchant app gets with each stage (`IUniPosCallback.onProgress`, "display text"), in
 * the terminal's language: a merchant app may put it in front of the cashier as it is. The app
 * gives the words of its own screens ([com.unipos.app.ui.StageTexts]).
 */
fun interface ProgressTexts {
    /** [stage] is the contract's ProgressStage; [event] the engine's report it comes from, if any. */
    fun text(stage: Int, event: ProgressEvent?): String
}

package com.unipos.app.txn

import java.util.concurrent.ScheduledExecutorService
import java.util.concurrent.ScheduledFuture
import java.util.concurrent.TimeUnit

/**
 * A merchant app's own limit on the wait for the customer's card (its `cardWaitSeconds`). The core
 * waits for a card until one comes, the device's own timeout, or a cancel: when the limit passes
 * while the core still waits, [cancelWait] ends that wait, and the cancel it causes is told as the
 * timeout it was ([timedOut]). The limit runs anew at every wait for a card (a chip that fails and is
 * swiped instead is a second wait) and stops at the core's next event.
 */
internal class CardWaitLimit(
    val limitMs: Long,
    private val timers: ScheduledExecutorService,
    private val cancelWait: () -> Unit,
) {
    @Volatile var timedOut = false
        private set
    private var timer: ScheduledFuture<*>? = null

    /** Every core event while the request runs; [waitingForCard]: the core now waits for the card. */
    @Synchronized fun onEvent(waitingForCard: Boolean) {
        timer?.cancel(false)
        timer = if (waitingForCard) timers.schedule({ expire() }, limitMs, TimeUnit.MILLISECONDS) else null
    }

    /** The request ended. */
    @Synchronized fun end() {
        timer?.cancel(false)
        timer = null
    }

    @Synchronized private fun expire() {
        if (timer == null) return   // a card (the core's next event) came first
        timedOut = true
        timer = null
        cancelWait()
    }
}

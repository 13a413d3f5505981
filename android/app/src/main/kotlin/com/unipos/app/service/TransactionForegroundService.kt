package com.unipos.app.service

import android.app.Notification
import android.app.Service
import android.content.Context
import android.content.Intent
import android.os.Handler
import android.os.IBinder
import android.os.Looper
import android.util.Log
import com.unipos.app.R
import com.unipos.app.compat.Platform

/**
 * The foreground service that runs exactly while a transaction does, with the notification
 * Android requires, so the system does not kill the process between "sent to the host" and "answer
 * stored" (the journal would recover, but the cashier and the calling app would wait for a reversal).
 * Started and stopped by [TransactionForeground]; it has no work of its own.
 */
class TransactionForegroundService : Service() {
    override fun onBind(intent: Intent?): IBinder? = null

    override fun onStartCommand(intent: Intent?, flags: Int, startId: Int): Int {
        // First, always: Android 8+ kills an app whose startForegroundService is not followed by this.
        Platform.startForeground(this, NOTIFICATION_ID, notification(this))
        TransactionForeground.attached(this)
        return START_NOT_STICKY
    }

    override fun onDestroy() {
        TransactionForeground.detached(this)
        super.onDestroy()
    }

    internal fun finish() {
        Platform.stopForeground(this)
        stopSelf()
    }

    companion object {
        const val NOTIFICATION_ID = 0x554E
        const val CHANNEL_ID = "unipos.transaction"

        fun notification(context: Context): Notification {
            val res = context.resources
            return Platform.notificationBuilder(context, CHANNEL_ID, res.getString(R.string.fgs_channel_name), res.getString(R.string.fgs_channel_description))
                .setSmallIcon(android.R.drawable.stat_notify_sync)
                .setContentTitle(res.getString(R.string.fgs_title))
                .setContentText(res.getString(R.string.fgs_text))
                .setOngoing(true)
                .build()
        }
    }
}

/**
 * Keeps [TransactionForegroundService] up while a transaction runs: [begin] / [end] are called by
 * the dispatcher's worker around each transaction. The service stops itself when it starts after
 * the transaction already ended, and a new transaction that begins before the stop keeps it up.
 */
object TransactionForeground {
    private const val TAG = "unipos/fgs"
    private val lock = Any()
    private val main = Handler(Looper.getMainLooper())
    private var running = false
    private var startRequested = false
    private var service: TransactionForegroundService? = null

    val isRunning: Boolean get() = synchronized(lock) { running }

    fun begin(context: Context) = synchronized(lock) {
        running = true
        if (service != null || startRequested) return@synchronized
        startRequested = true
        try {
            Platform.startForegroundService(context, Intent(context, TransactionForegroundService::class.java))
        } catch (e: IllegalStateException) {
            // Android 12+ refuses a start from the background (ForegroundServiceStartNotAllowedException).
            // The payment goes on: the bound caller keeps the process alive, the journal recovers.
            startRequested = false
            Log.w(TAG, "foreground service not started: ${e.javaClass.simpleName}")
        } catch (e: SecurityException) {
            startRequested = false
            Log.w(TAG, "foreground service not started: ${e.javaClass.simpleName}")
        }
    }

    fun end() = synchronized(lock) {
        running = false
        val s = service ?: return@synchronized
        main.post { stopIfIdle(s) }
    }

    internal fun attached(s: TransactionForegroundService) = synchronized(lock) {
        service = s
        startRequested = false
        if (!running) main.post { stopIfIdle(s) }
    }

    internal fun detached(s: TransactionForegroundService) = synchronized(lock) {
        if (service === s) service = null
    }

    private fun stopIfIdle(s: TransactionForegroundService) {
        val stop = synchronized(lock) { !running && service === s }
        if (stop) s.finish()
    }

    /** Tests: forget everything (Robolectric runs many applications in one JVM). */
    fun reset() = synchronized(lock) {
        running = false; startRequested = false; service = null
    }
}

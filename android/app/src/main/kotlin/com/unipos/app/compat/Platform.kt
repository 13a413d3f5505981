package com.unipos.app.compat

import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.Service
import android.content.Context
import android.content.Intent
import android.content.pm.ServiceInfo
import android.os.Build

/**
 * Foreground-service and notification calls newer than minSdk 24, each behind SDK_INT (compiled
 * against API 34 by the host scripts; everything outside compat/ is compiled against API 24).
 */
object Platform {
    /** Android 8+ needs startForegroundService for a service that will go to the foreground. */
    fun startForegroundService(context: Context, intent: Intent) {
        if (Build.VERSION.SDK_INT >= 26) context.startForegroundService(intent) else context.startService(intent)
    }

    /** The channel exists from Android 8; created once (creating it again changes nothing). */
    fun notificationBuilder(context: Context, channelId: String, channelName: String, channelDescription: String): Notification.Builder =
        if (Build.VERSION.SDK_INT >= 26) {
            val nm = context.getSystemService(NotificationManager::class.java)
            nm.createNotificationChannel(
                NotificationChannel(channelId, channelName, NotificationManager.IMPORTANCE_LOW).apply { description = channelDescription },
            )
            Notification.Builder(context, channelId)
        } else {
            @Suppress("DEPRECATION")
            Notification.Builder(context).setPriority(Notification.PRIORITY_LOW)
        }

    /**
     * startForeground with the declared type: from Android 14 the type must be given and match the
     * manifest (specialUse, see AndroidManifest.xml for why).
     */
    fun startForeground(service: Service, id: Int, notification: Notification) {
        when {
            Build.VERSION.SDK_INT >= 34 -> service.startForeground(id, notification, ServiceInfo.FOREGROUND_SERVICE_TYPE_SPECIAL_USE)
            else -> service.startForeground(id, notification)
        }
    }

    fun stopForeground(service: Service) {
        if (Build.VERSION.SDK_INT >= 24) service.stopForeground(Service.STOP_FOREGROUND_REMOVE)
    }
}

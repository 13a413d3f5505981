package com.unipos.app.compat

import android.content.pm.PackageManager
import android.os.Build
import android.content.pm.Signature

/**
 * The ONLY file of the app that uses framework APIs newer than minSdk 24 (always behind a
 * SDK_INT check). test-android-app.sh compiles it against API 30 and everything else against
 * API 24, so a newer API anywhere else is a compile error here as on the Android 7 terminals.
 */
object Signers {
    /** The package's current signing certificates: all of them, or empty if it is not installed. */
    fun current(pm: PackageManager, packageName: String): Array<Signature> = try {
        if (Build.VERSION.SDK_INT >= 28) {
            val info = pm.getPackageInfo(packageName, PackageManager.GET_SIGNING_CERTIFICATES).signingInfo
            when {
                info == null -> emptyArray()
                // apkContentsSigners: the certificates the APK is signed with now (not the rotation history)
                else -> info.apkContentsSigners ?: emptyArray()
            }
        } else {
            @Suppress("DEPRECATION")
            pm.getPackageInfo(packageName, PackageManager.GET_SIGNATURES).signatures ?: emptyArray()
        }
    } catch (e: PackageManager.NameNotFoundException) {
        emptyArray()
    }
}

/*
 * Results and progress, delivered by the service to every callback the same app registered.
 * oneway: the service never blocks on a client. Methods are only ever APPENDED.
 * Calls arrive on a binder thread of the client: post to the main thread before touching views.
 */
package com.unipos.sdk;

import com.unipos.sdk.TransResult;

oneway interface IUniPosCallback {
    /** ProgressStage.* (WAITING_FOR_CARD, WAITING_FOR_PIN, ONLINE, PRINTING, ...); message is display text. */
    void onProgress(String requestId, int stage, String message);
    /** The final result of a transaction this app started (state APPROVED, DECLINED or FAILED, or UNKNOWN). */
    void onResult(in TransResult result);
}

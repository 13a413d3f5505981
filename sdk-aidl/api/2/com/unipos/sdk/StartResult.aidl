package com.unipos.sdk;
parcelable StartResult {
  int version = 1;
  String requestId;
  int errorCode;
  String message;
}

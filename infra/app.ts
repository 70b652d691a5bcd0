/** CDK entry point (see cdk.json). cdk-nag's AWS Solutions pack runs on every synth. */
import { buildApp } from './build-app.js';

buildApp().app.synth();

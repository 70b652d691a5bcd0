/** Which moto_server the local run and the integration tier start. */
import { describe, expect, it } from '@jest/globals';
import { chooseMoto } from '../../local/moto.js';

describe('chooseMoto', () => {
  it('takes the one on PATH when its version fits, or when its version cannot be told', () => {
    expect(chooseMoto({ onPath: true, pathVersion: '5.2.1' })).toBe('path');
    expect(chooseMoto({ onPath: true })).toBe('path');
  });

  it('otherwise the project’s own virtual environment, installing it when it is missing or too old', () => {
    expect(chooseMoto({ onPath: true, pathVersion: '4.2.14', venvVersion: '5.2.1' })).toBe('venv');
    expect(chooseMoto({ onPath: false, venvVersion: '5.2.1' })).toBe('venv');
    expect(chooseMoto({ onPath: false })).toBe('install');
    expect(chooseMoto({ onPath: false, venvVersion: '4.0.0' })).toBe('install');
  });
});

// Renderer entry: styles, platform (desktop preload or browser worker), then the app shell.

import './styles.css';
import { createPlatform } from './engine-link';
import { startApp } from './app';
import { showFatal } from './dialogs';

try {
  const root = document.getElementById('app');
  if (!root) throw new Error('The page has no #app element.');
  startApp(root, createPlatform());
} catch (error) {
  showFatal(error);
}

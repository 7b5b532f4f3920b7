// Mounts the app; ?room= picks another room than the tutorial's "1234".
import { createRoot } from 'react-dom/client';
import App from './App';

const room = new URLSearchParams(location.search).get('room') || '1234';
createRoot(document.getElementById('root')!).render(<App room={room} />);
